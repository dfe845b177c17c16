// Test input for tests/elf_legacy.rs: tc's legacy map definitions (iproute2's
// `struct bpf_elf_map`, nine u32), a map of maps whose `inner_id` names the `id` of the map
// its inner maps are shaped like, as iproute2's examples/bpf/legacy/bpf_map_in_map.c does.
// -DBAD_INNER_ID: the map of maps names an id no map has.
#include "hdr.h"
struct bpf_elf_map {
  __u32 type, size_key, size_value, max_elem, flags, id, pinning, inner_id, inner_idx;
};
#ifdef BAD_INNER_ID
#define OUTER_INNER_ID 43
#else
#define OUTER_INNER_ID 42
#endif
struct bpf_elf_map SEC("maps") map_inner = {
  .type = 2, .size_key = 4, .size_value = 8, .max_elem = 1, .id = 42, .pinning = 2,
};
struct bpf_elf_map SEC("maps") map_outer = {
  .type = 12, .size_key = 4, .size_value = 4, .max_elem = 3, .inner_id = OUTER_INNER_ID,
  .pinning = 2,
};
static void *(*bpf_map_lookup_elem)(void *map, const void *key) = (void *)1;
SEC("egress") int emain(struct __sk_buff *skb) {
  __u32 k = 0;
  void *in = bpf_map_lookup_elem(&map_outer, &k);
  if (!in) return 0;
  __u64 *v = bpf_map_lookup_elem(in, &k);
  if (!v) return 0;
#ifdef PAST_THE_VALUE
  return (int)v[1];
#else
  __sync_fetch_and_add(v, 1);
  return 0;
#endif
}
char _license[] SEC("license") = "GPL";
