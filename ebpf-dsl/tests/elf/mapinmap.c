// Test input for tests/elf.rs: a map of maps (libbpf's `__array(values, struct inner)`), looked
// up twice. Also loaded by the kernel tests of xsk-runtime.
#include "hdr.h"
#define __uint(name, val) int (*name)[val]
#define __type(name, val) typeof(val) *name
#define __array(name, val) typeof(val) *name[]
static void *(*bpf_map_lookup_elem)(void *map, const void *key) = (void *)1;
struct inner {
  __uint(type, 2);
  __uint(max_entries, 1);
  __type(key, __u32);
  __type(value, __u64);
};
struct {
  __uint(type, 12);
  __uint(max_entries, 4);
  __type(key, __u32);
  __array(values, struct inner);
} outer SEC(".maps");
SEC("xdp") int twice(struct xdp_md *ctx) {
  __u32 k = 0;
  void *in = bpf_map_lookup_elem(&outer, &k);
  if (!in) return 1;
  __u64 *v = bpf_map_lookup_elem(in, &k);
  if (!v) return 1;
  *v += 1;
  return 2;
}
char _license[] SEC("license") = "GPL";
