// Test input for ebpf-dsl-cli/tests/cli_elf_kernel.rs: programs for DEVMAP / CPUMAP entries
// (libbpf's `xdp/devmap`, `xdp/cpumap` sections: expected_attach_type BPF_XDP_DEVMAP /
// BPF_XDP_CPUMAP). Only a DEVMAP program may read egress_ifindex. Compiled with clang-19 -O2
// -g -target bpf -c.
#include "hdr.h"
SEC("xdp/devmap") int egress(struct xdp_md *ctx) {
  return ctx->egress_ifindex ? 2 : 1;
}
SEC("xdp/cpumap") int on_cpu(struct xdp_md *ctx) {
  return ctx->rx_queue_index ? 2 : 1;
}
SEC("xdp") int plain_egress(struct xdp_md *ctx) {
  return ctx->egress_ifindex ? 2 : 1;
}
char _license[] SEC("license") = "GPL";
