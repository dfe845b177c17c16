// Test input for tests/elf.rs: compiled with clang-19 -O2 -g -target bpf -c.
#include "hdr.h"
#define __uint(name, val) int (*name)[val]
#define __type(name, val) typeof(val) *name
static void *(*bpf_map_lookup_elem)(void *map, const void *key) = (void *)1;
struct {
  __uint(type, 2);
  __uint(max_entries, 8);
  __type(key, __u32);
  __type(value, __u64);
} stats SEC(".maps");
struct {
  __uint(type, 1);
  __uint(max_entries, 128);
  __uint(key_size, 4);
  __uint(value_size, 16);
  __uint(map_flags, 1);
} tbl SEC(".maps");
static __attribute__((noinline)) int bump(__u32 k) {
  __u64 *v = bpf_map_lookup_elem(&stats, &k);
  if (v) { __sync_fetch_and_add(v, 1); return 1; }
  return 0;
}
volatile const __u32 limit = 3;
__u64 seen = 7;
__u64 zeros;
SEC("xdp") int prog_a(struct xdp_md *ctx) {
  seen += 1; zeros += 2;
  if (bump(ctx->rx_queue_index) > limit) return 1;
  return 2;
}
SEC("tc") int prog_b(struct __sk_buff *skb) {
  __u32 k = skb->len;
  void *p = bpf_map_lookup_elem(&tbl, &k);
  return bump(p ? 1 : 2);
}
char _license[] SEC("license") = "GPL";
