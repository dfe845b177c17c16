// Test input for tests/elf.rs: compiled with clang-19 -O2 -g -target bpf -c.
#include "hdr.h"
static __attribute__((noinline)) int add3(int a) { return a + 3; }
static __attribute__((noinline)) int twice(int a) { return add3(a) * 2; }
SEC("xdp/sub") int subs(struct xdp_md *ctx) { return twice(ctx->rx_queue_index) & 3; }
SEC("socket") int sock(struct __sk_buff *skb) { return add3(skb->len); }
char _license[] SEC("license") = "MIT";
