// Test input for tests/elf.rs: the dynptr kfuncs called as extern functions (`__ksym`): an
// xdp dynptr over the packet, a read-only slice of its Ethernet header (copied into a stack
// buffer when the packet is not linear), null-checked before its EtherType is read. Compiled
// with clang-19 -O2 -g -target bpf -c.
#include "hdr.h"
struct bpf_dynptr { __u64 a, b; } __attribute__((aligned(8)));
extern int bpf_dynptr_from_xdp(struct xdp_md *x, __u64 flags, struct bpf_dynptr *ptr__uninit)
    __attribute__((section(".ksyms")));
extern void *bpf_dynptr_slice(const struct bpf_dynptr *p, __u32 offset, void *buffer__opt,
                              __u32 buffer__szk) __attribute__((section(".ksyms")));
SEC("xdp") int dp(struct xdp_md *ctx) {
  struct bpf_dynptr ptr;
  unsigned char buf[14];
  bpf_dynptr_from_xdp(ctx, 0, &ptr);
  unsigned char *eth = bpf_dynptr_slice(&ptr, 0, buf, sizeof(buf));
  if (!eth)
    return 1;
  return eth[12] == 8 ? 2 : 1;
}
char _license[] SEC("license") = "GPL";
