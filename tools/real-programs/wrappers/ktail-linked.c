/* KnightChaser's ebpf-tailcall-example as its Makefile links it: three BPF objects (the entry
 * program, which defines the prog array, and two tail-call targets declaring it `extern`) made
 * one by `bpftool gen object`. One translation unit gives the same object: the extern
 * declarations name the definition of xdp_entry.bpf.c. */
#include "xdp_entry.bpf.c"
#include "xdp_prog_1.bpf.c"
#include "xdp_prog_2.bpf.c"
