// Test input for tests/elf_graph.rs: graph.c with a struct the kernel refuses in a program's BTF
// (an rb node and a list node, no bpf_refcount). Compiled with clang-19 -O2 -g -target bpf -c.
#define BAD_BTF
#include "graph.c"
