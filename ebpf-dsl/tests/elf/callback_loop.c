// Test input for tests/elf_real.rs: `&func` as a callback (bpf_loop), which clang emits as an
// ld_imm64 relocated against `.text` and libbpf turns into BPF_PSEUDO_FUNC.
#include "hdr.h"
static long (*bpf_loop)(__u32 n, void *cb, void *ctx, __u64 flags) = (void *)181;
static long step(__u32 i, void *ctx) { return 0; }
SEC("xdp") int looper(struct xdp_md *ctx) {
  bpf_loop(4, step, 0, 0);
  return 2;
}
char _license[] SEC("license") = "GPL";
