// Test input for tests/elf_arena.rs: an XDP program with a BPF arena, as bpf_arena_common.h
// writes one: an arena map (BPF_MAP_TYPE_ARENA, 33; BPF_F_MMAPABLE), the arena kfuncs called
// as extern functions (`__ksym`), and arena pointers (`__attribute__((address_space(1)))`,
// which clang turns into addr_space_cast before each access). Variants: -DWITH_GLOBAL adds an
// `__arena` global (section `.addr_space.1`), -DWITH_EXTRA the arena's user address
// (`map_extra`). Compiled with clang-19 -O2 -g -target bpf -c.
#include "hdr.h"
#define __uint(name, val) int (*name)[val]
#define __arena __attribute__((address_space(1)))
#define __ksym __attribute__((section(".ksyms")))
struct {
    __uint(type, 33);
    __uint(map_flags, 1 << 10);
    __uint(max_entries, 2);
#ifdef WITH_EXTRA
    enum { arena_user_address = 1ull << 44 } map_extra;
#endif
} arena SEC(".maps");
extern void __arena *bpf_arena_alloc_pages(void *map, void __arena *addr, __u32 page_cnt,
                                           int node_id, __u64 flags) __ksym;
extern void bpf_arena_free_pages(void *map, void __arena *ptr, __u32 page_cnt) __ksym;
#ifdef WITH_GLOBAL
int __arena hits;
#endif
SEC("xdp") int arena_xdp(struct xdp_md *ctx)
{
    volatile int __arena *p = bpf_arena_alloc_pages(&arena, 0, 1, -1, 0);
    if (!p)
        return 2;
    *p = 1;
#ifdef WITH_GLOBAL
    hits++;
#endif
    bpf_arena_free_pages(&arena, (void __arena *)p, 1);
    return 2;
}
char _license[] SEC("license") = "GPL";
