// Test input for ebpf-dsl-cli/tests/cli_elf.rs and cli_elf_kernel.rs: a multi-buffer XDP
// program (libbpf's `xdp.frags` section: loaded with BPF_F_XDP_HAS_FRAGS, so it may be
// attached where packets do not fit one page). Compiled with clang-19 -O2 -g -target bpf -c.
#include "hdr.h"
static long (*bpf_xdp_get_buff_len)(struct xdp_md *ctx) = (void *)188;
SEC("xdp.frags") int frags(struct xdp_md *ctx) {
  return bpf_xdp_get_buff_len(ctx) > 1500 ? 1 : 2;
}
char _license[] SEC("license") = "GPL";
