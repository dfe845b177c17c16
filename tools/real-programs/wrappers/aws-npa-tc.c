/* aws-network-policy-agent's tc programs as its agent loads them. Each declares the shared
 * maps `aws_conntrack_map` and `policy_events` without a definition (a tentative definition,
 * which clang puts in .bss); the agent's loader (aws-ebpf-sdk-go) resolves both by name to
 * the maps its events object (v4events.bpf.c / v6events.bpf.c) defines and pins. Here the
 * tc object itself gets those definitions (the same shapes), after its own source:
 * -DAWS_NPA_TC="tc.v4ingress.bpf.c" names it, its directory on the include path. */
#include AWS_NPA_TC

struct bpf_map_def_pvt SEC("maps") aws_conntrack_map = {
	.type = BPF_MAP_TYPE_LRU_HASH,
	.key_size = sizeof(struct conntrack_key),
	.value_size = sizeof(struct conntrack_value),
	.max_entries = 512 * 1024,
	.pinning = PIN_GLOBAL_NS,
};

struct bpf_map_def_pvt SEC("maps") policy_events = {
	.type = BPF_MAP_TYPE_RINGBUF,
	.max_entries = 512 * 1024,
	.pinning = PIN_GLOBAL_NS,
};
