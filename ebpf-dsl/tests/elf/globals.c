// Test input for ebpf-dsl-cli/tests/cli_elf_kernel.rs: initialised global data in .rodata,
// .data and .bss, in an xdp.frags program. Compiled with clang-19 -O2 -g -target bpf -c.
#include "hdr.h"
volatile const __u32 base = 40;
__u32 bonus = 2;
__u32 hits;
SEC("xdp.frags") int sum(struct xdp_md *ctx) {
  hits += 1;
  return base + bonus + hits;
}
char _license[] SEC("license") = "GPL";
