// Test input for tests/elf_bloom.rs: an XDP program testing a bloom filter
// (BPF_MAP_TYPE_BLOOM_FILTER, 30) with bpf_map_peek_elem and adding to it with
// bpf_map_push_elem; the definition gives `map_extra` the kernel's default hash count, 5
// (HASHES: another count, which the reader refuses; ON_HASH: map_extra on a hash map).
// Compiled with clang-19 -O2 -g -target bpf -c.
#include "hdr.h"
#define __uint(name, val) int (*name)[val]
#define __type(name, val) typeof(val) *name
#ifndef HASHES
#define HASHES 5
#endif
struct {
#ifdef ON_HASH
    __uint(type, 1);
    __type(key, __u32);
#else
    __uint(type, 30);
#endif
    __type(value, __u64);
    __uint(max_entries, 64);
    __uint(map_extra, HASHES);
} seen SEC(".maps");
static long (*bpf_map_push_elem)(void *map, const void *value, __u64 flags) = (void *)87;
static long (*bpf_map_peek_elem)(void *map, void *value) = (void *)89;
SEC("xdp") int bloom_xdp(struct xdp_md *ctx)
{
    __u64 v = ctx->rx_queue_index;
    if (bpf_map_peek_elem(&seen, &v) == 0)
        return 1;
    bpf_map_push_elem(&seen, &v, 0);
    return 2;
}
char _license[] SEC("license") = "GPL";
