/* Stand-in for iovisor/gobpf's elf/include/bpf.h, which skydive's ebpf/defs.h includes from
 * the Go module cache (gobpf@v0.0.0-20200329161226): gobpf ships a copy of the kernel's UAPI
 * <linux/bpf.h> under that name; the system's is used instead (defs.h declares the helpers,
 * the packet-load intrinsics and bpf_printk itself). */
#ifndef REAL_PROGRAMS_GOBPF_BPF_H
#define REAL_PROGRAMS_GOBPF_BPF_H
#include <linux/bpf.h>
#endif
