// Test input for tests/elf.rs: compiled with clang-19 -O2 -g -target bpf -c. A legacy map
// and a BTF-defined map whose names share their first 15 characters (cilium's datapath
// declares its tail-call array `cilium_calls_N` in `maps`, `cilium_calls_custom_N` in `.maps`).
#include "hdr.h"
#define __uint(name, val) int (*name)[val]
#define __type(name, val) typeof(val) *name
struct bpf_map_def { unsigned int type, key_size, value_size, max_entries, map_flags; };
struct bpf_map_def SEC("maps") tail_call_table_main = { 3, 4, 4, 8, 0 };
struct {
  __uint(type, 2);
  __uint(max_entries, 4);
  __type(key, __u32);
  __type(value, __u64);
} tail_call_table_stats SEC(".maps");
static void *(*bpf_map_lookup_elem)(void *map, const void *key) = (void *)1;
static long (*bpf_tail_call)(void *ctx, void *map, __u32 index) = (void *)12;
SEC("xdp") int cross(struct xdp_md *ctx) {
  __u32 k = 0;
  __u64 *v = bpf_map_lookup_elem(&tail_call_table_stats, &k);
  if (v) __sync_fetch_and_add(v, 1);
  bpf_tail_call(ctx, &tail_call_table_main, 1);
  return 2;
}
char _license[] SEC("license") = "GPL";
