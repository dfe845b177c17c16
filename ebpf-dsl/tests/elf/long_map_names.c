// Test input for tests/elf.rs: two BTF-defined maps whose names share their first 15
// characters (the kernel's), as openshift/ingress-node-firewall's do: a perf event array and
// a hash. Told apart by those names, a relocation would find the wrong map: they get
// distinct ones.
#include "hdr.h"
#define __uint(name, val) int (*name)[val]
struct {
	__uint(type, 4);
	__uint(key_size, 4);
	__uint(value_size, 4);
} firewall_events_map SEC(".maps");
struct {
	__uint(type, 1);
	__uint(key_size, 4);
	__uint(value_size, 64);
	__uint(max_entries, 8);
} firewall_events_table SEC(".maps");
static void *(*bpf_map_lookup_elem)(void *map, const void *key) = (void *)1;
SEC("xdp") int prog(struct xdp_md *ctx)
{
	__u32 k = 0;
	__u32 *v = bpf_map_lookup_elem(&firewall_events_table, &k);
	return v ? v[15] & 3 : 2;
}
char _license[] SEC("license") = "GPL";
