// Test input for tests/elf_values.rs and the kernel test tests/tests/kernel_map_values.rs:
// BTF-defined maps with initial contents (`.values = { [i] = &x }`): a prog array holding two
// XDP programs (slot 0 left empty), an array of maps and a hash of maps holding an array map,
// an array of maps holding a hash map whose value holds a spin lock.
// -D variants make each of the refusals of libbpf and the kernel (see the tests).
#include "hdr.h"
#define __uint(name, val) int (*name)[val]
#define __type(name, val) typeof(val) *name
#define __array(name, val) typeof(val) *name[]
static void *(*bpf_map_lookup_elem)(void *map, const void *key) = (void *)1;
static long (*bpf_tail_call)(void *ctx, void *map, __u32 index) = (void *)12;

struct inner {
  __uint(type, 2);
  __uint(max_entries, 1);
  __type(key, __u32);
  __type(value, __u64);
};
struct inner counter SEC(".maps");
#ifdef BAD_SHAPE
struct {
  __uint(type, 2);
  __uint(max_entries, 2);
  __type(key, __u32);
  __type(value, __u64);
} wider SEC(".maps");
#define INNER wider
#else
#define INNER counter
#endif

struct {
  __uint(type, 12);
  __uint(max_entries, 2);
  __type(key, __u32);
  __array(values, struct inner);
} outer SEC(".maps") = {.values = {[1] = (void *)&INNER}};

#ifdef HASH_KEY8
typedef __u64 hkey;
#else
typedef __u32 hkey;
#endif
struct {
  __uint(type, 13);
  __uint(max_entries, 2);
  __type(key, hkey);
  __array(values, struct inner);
} by_hash SEC(".maps") = {.values = {[7] = &counter}};

// An inner map whose value holds a spin lock: the kernel takes it only into a map of maps
// whose template knows the lock (libbpf creates the template with the inner definition's
// BTF; so does xsk-runtime's loader).
struct bpf_spin_lock { __u32 val; };
struct locked { struct bpf_spin_lock lock; __u64 n; };
struct inner_locked {
  __uint(type, 1);
  __uint(max_entries, 1);
  __type(key, __u32);
  __type(value, struct locked);
};
struct inner_locked locked_map SEC(".maps");
struct {
  __uint(type, 12);
  __uint(max_entries, 1);
  __type(key, __u32);
  __array(values, struct inner_locked);
} outer_locked SEC(".maps") = {.values = {[0] = &locked_map}};

int leaf(struct xdp_md *ctx);
int count(struct xdp_md *ctx);
#ifdef BAD_TYPE
int other(struct __sk_buff *skb);
#define SECOND other
#else
#define SECOND count
#endif
#ifdef BAD_INDEX
#define LEAF_AT 3
#else
#define LEAF_AT 1
#endif
struct {
  __uint(type, 3);
  __uint(max_entries, 3);
  __uint(key_size, 4);
  __array(values, int(struct xdp_md *));
} jumps SEC(".maps") = {.values = {[LEAF_AT] = &leaf, [2] = (void *)&SECOND}};

#ifdef VALUES_ON_HASH
struct {
  __uint(type, 1);
  __uint(max_entries, 2);
  __type(key, __u32);
  __array(values, struct inner);
} plain SEC(".maps") = {.values = {[0] = &counter}};
#endif

// Tail-calls slot 1 (leaf: XDP_PASS); XDP_DROP when the slot is empty.
SEC("xdp") int entry(struct xdp_md *ctx) {
  bpf_tail_call(ctx, &jumps, 1);
  return 1;
}
SEC("xdp") int leaf(struct xdp_md *ctx) { return 2; }
// Counts in the map at slot 1 of `outer` and at key 7 of `by_hash` (both `counter`):
// XDP_TX when both are there, XDP_ABORTED otherwise.
SEC("xdp") int count(struct xdp_md *ctx) {
  __u32 one = 1, seven = 7, zero = 0;
  void *in = bpf_map_lookup_elem(&outer, &one);
  if (!in) return 0;
  __u64 *v = bpf_map_lookup_elem(in, &zero);
  if (!v) return 0;
  *v += 1;
  in = bpf_map_lookup_elem(&by_hash, &seven);
  if (!in) return 0;
  v = bpf_map_lookup_elem(in, &zero);
  if (!v) return 0;
  *v += 100;
  return 3;
}
#ifdef BAD_TYPE
SEC("tc") int other(struct __sk_buff *skb) { return 0; }
#endif
char _license[] SEC("license") = "GPL";
