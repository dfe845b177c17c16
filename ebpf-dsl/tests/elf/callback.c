// Test input for tests/elf.rs: callbacks (bpf_loop, bpf_for_each_map_elem), whose addresses
// clang writes as `ld_imm64` + R_BPF_64_64 against .text. Also loaded by the kernel tests.
#include "hdr.h"
#define __uint(name, val) int (*name)[val]
#define __type(name, val) typeof(val) *name
static long (*bpf_loop)(__u32 n, void *cb, void *ctx, __u64 flags) = (void *)181;
static long (*bpf_for_each_map_elem)(void *map, void *cb, void *ctx, __u64 flags) = (void *)164;
struct {
  __uint(type, 2);
  __uint(max_entries, 4);
  __type(key, __u32);
  __type(value, __u64);
} vals SEC(".maps");
struct acc { __u64 sum; };
static int add_index(__u32 i, void *c) { ((struct acc *)c)->sum += i; return 0; }
static long add_value(void *map, __u32 *key, __u64 *val, void *c) {
  ((struct acc *)c)->sum += *val;
  return 0;
}
SEC("xdp") int loops(struct xdp_md *ctx) {
  struct acc a = {0};
  bpf_loop(10, add_index, &a, 0);
  bpf_for_each_map_elem(&vals, add_value, &a, 0);
  return a.sum == 45 ? 2 : 1;
}
char _license[] SEC("license") = "GPL";
