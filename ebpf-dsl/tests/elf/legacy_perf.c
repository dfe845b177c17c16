// Test input for the CLI: a tc program in a section whose name gives no type (merbridge's
// `classifier_ingress`), with a legacy `maps` perf event array of 0 entries (sized by the
// loader, one per possible CPU, as libbpf does) and the device map lookup of loxilb.
#include "hdr.h"
struct bpf_map_def { __u32 type, key_size, value_size, max_entries, map_flags; };
struct bpf_map_def SEC("maps") events = { .type = 4, .key_size = 4, .value_size = 4 };
struct bpf_map_def SEC("maps") ports = { .type = 14, .key_size = 4, .value_size = 4, .max_entries = 8 };
static long (*bpf_perf_event_output)(void *ctx, void *map, __u64 flags, void *data, __u64 size) = (void *)25;
static void *(*bpf_map_lookup_elem)(void *map, const void *key) = (void *)1;
SEC("classifier_ingress") int ingress(struct __sk_buff *skb)
{
	__u32 key = skb->len & 7;
	__u32 *ifindex = bpf_map_lookup_elem(&ports, &key);
	if (!ifindex)
		return 0;
	__u32 v = *ifindex;
	bpf_perf_event_output(skb, &events, 0xffffffffULL, &v, sizeof(v));
	return 0;
}
char _license[] SEC("license") = "GPL";
