// Test input for tests/elf_real.rs: a CO-RE field access (a `.BTF.ext` core_relo record),
// which the reader does not apply, beside a program without one.
#include "hdr.h"
struct meta { __u32 a, b; } __attribute__((preserve_access_index));
SEC("xdp") int plain(struct xdp_md *ctx) { return 2; }
SEC("xdp") int relocated(struct xdp_md *ctx) {
  struct meta *m = (struct meta *)(unsigned long)ctx->data_meta;
  if ((void *)(m + 1) > (void *)(unsigned long)ctx->data) return 2;
  return m->b == 7 ? 1 : 2;
}
char _license[] SEC("license") = "GPL";
