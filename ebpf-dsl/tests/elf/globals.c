// Test input for ebpf-dsl-cli/tests/cli_elf_kernel.rs: initialised global data in .rodata,
// .data and .bss, in an xdp.frags program; a map with a struct value. Compiled with clang-19 -O2 -g -target bpf -c.
#include "hdr.h"
#define __uint(name, val) int (*name)[val]
#define __type(name, val) typeof(val) *name
struct counts { __u64 packets; __u64 bytes; };
struct {
  __uint(type, 1);
  __uint(max_entries, 4);
  __type(key, __u32);
  __type(value, struct counts);
} counters SEC(".maps");
volatile const __u32 base = 40;
__u32 bonus = 2;
__u32 hits;
SEC("xdp.frags") int sum(struct xdp_md *ctx) {
  hits += 1;
  return base + bonus + hits;
}
char _license[] SEC("license") = "GPL";
