// Test input for tests/elf.rs and tests/tests/kernel_iter.rs: open-coded loops over the numbers
// iterator (`struct bpf_iter_num` and its three kfuncs, `__ksym` externs), as libbpf's
// bpf_for(i, start, end) writes them: new once, next until NULL (the number read and checked
// against the range), destroy. An XDP program sums the first 64 bytes of the packet (each
// bounds-checked against data_end), a tc program reads 16 bytes with bpf_skb_load_bytes in a
// loop nested in another, and `leaky` returns from inside its loop without destroying the
// iterator (the kernel: "Unreleased reference"). Compiled with clang-19 -O2 -g -target bpf -c.
#include "hdr.h"
struct bpf_iter_num { __u64 opaque; } __attribute__((aligned(8)));
extern int bpf_iter_num_new(struct bpf_iter_num *it, int start, int end)
    __attribute__((section(".ksyms")));
extern int *bpf_iter_num_next(struct bpf_iter_num *it) __attribute__((section(".ksyms")));
extern void bpf_iter_num_destroy(struct bpf_iter_num *it) __attribute__((section(".ksyms")));
static long (*bpf_skb_load_bytes)(const void *skb, __u32 off, void *to, __u32 len) = (void *)26;

// `for (i = start; i < end; i++)` over the iterator `it` (started here, destroyed by the
// caller after the loop).
#define each(i, it, start, end)                                                          \
  for (bpf_iter_num_new(&(it), (start), (end));                                         \
       ({ int *n_ = bpf_iter_num_next(&(it)); n_ && ((i) = *n_, (i) >= (start) && (i) < (end)); });)

SEC("xdp") int xdp_sum(struct xdp_md *ctx) {
  unsigned char *data = (void *)(long)ctx->data, *end = (void *)(long)ctx->data_end;
  struct bpf_iter_num it;
  __u32 sum = 0;
  int i;
  each(i, it, 0, 64) {
    if (data + i + 1 > end)
      break;
    sum += data[i];
  }
  bpf_iter_num_destroy(&it);
  return sum ? 2 : 1; // XDP_PASS if a byte is set, else XDP_DROP
}

SEC("tc") int tc_nested(struct __sk_buff *skb) {
  struct bpf_iter_num outer, inner;
  __u32 sum = 0;
  int i, j;
  each(i, outer, 0, 4) {
    each(j, inner, 0, 4) {
      unsigned char b;
      if (bpf_skb_load_bytes(skb, i * 4 + j, &b, 1))
        break;
      sum += b;
    }
    bpf_iter_num_destroy(&inner);
  }
  bpf_iter_num_destroy(&outer);
  return sum > 1000 ? 2 : 0; // TC_ACT_SHOT or TC_ACT_OK
}

SEC("xdp") int leaky(struct xdp_md *ctx) {
  unsigned char *data = (void *)(long)ctx->data, *end = (void *)(long)ctx->data_end;
  struct bpf_iter_num it;
  int i;
  each(i, it, 0, 64) {
    if (data + i + 1 > end)
      return 1; // the iterator is never destroyed on this path
  }
  bpf_iter_num_destroy(&it);
  return 2;
}

char _license[] SEC("license") = "GPL";
