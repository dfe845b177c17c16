// Test input for the CLI: an XDP program in a section whose name gives no type, with a
// legacy `maps` array (libbpf 1.x cannot open it, so `ebpf-dsl load` is the loader) and a
// CO-RE field access on a kernel type (as aws-network-policy-agent's tc programs: vmlinux.h
// and legacy maps), resolved against the running kernel's BTF when loaded.
#include "hdr.h"
struct bpf_map_def { __u32 type, key_size, value_size, max_entries, map_flags; };
struct bpf_map_def SEC("maps") counts = { .type = 2, .key_size = 4, .value_size = 8, .max_entries = 4 };
struct ethhdr {
	unsigned char h_dest[6];
	unsigned char h_source[6];
	unsigned short h_proto;
} __attribute__((preserve_access_index));
static void *(*bpf_map_lookup_elem)(void *map, const void *key) = (void *)1;
SEC("xdp_count") int count_proto(struct xdp_md *ctx)
{
	struct ethhdr *eth = (void *)(long)ctx->data;
	if ((void *)(eth + 1) > (void *)(long)ctx->data_end)
		return 2;
	__u32 key = eth->h_proto & 3;
	__u64 *n = bpf_map_lookup_elem(&counts, &key);
	if (n)
		__sync_fetch_and_add(n, 1);
	return 2;
}
char _license[] SEC("license") = "GPL";
