// Test input for tests/elf.rs: compiled with clang-19 -O2 -g -target bpf -c.
#include "hdr.h"
struct bpf_map_def { unsigned int type, key_size, value_size, max_entries, map_flags; };
struct bpf_map_def SEC("maps") counts = { 2, 4, 8, 4, 0 };
struct bpf_map_def SEC("maps") xsks = { 17, 4, 4, 64, 0 };
static void *(*bpf_map_lookup_elem)(void *map, const void *key) = (void *)1;
static long (*bpf_redirect_map)(void *map, __u64 key, __u64 flags) = (void *)51;
SEC("xdp") int count_pass(struct xdp_md *ctx) {
  __u32 k = 0;
  __u64 *v = bpf_map_lookup_elem(&counts, &k);
  if (v) __sync_fetch_and_add(v, 1);
  return bpf_redirect_map(&xsks, ctx->rx_queue_index, 2);
}
char _license[] SEC("license") = "GPL";
