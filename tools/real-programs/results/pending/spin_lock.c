// Reduced from xdp-tools xdp-trafficgen (xdp_handle_tcp_recv, xdp_redirect_send_tcp): a map
// value with a `struct bpf_spin_lock`, locked around an update. Written for this corpus (MIT
// OR Apache-2.0).
//
//   clang-19 -target bpf -O2 -g -c spin_lock.c -o spin_lock.o
//
// Kernel 6.18 (libbpf, or `ebpf-dsl load spin_lock.o`: the map is created with its BTF, so
// the kernel knows where the lock is): accept.
// ebpf-dsl check spin_lock.o: reject, "bpf_spin_lock (helper #93) is not modelled by this
// verifier" -- it needs the value's BTF (the lock's offset), one lock held at a time, no
// helper calls or exit while it is held, and bpf_spin_unlock on every path (issue 12 item 4).
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct state {
	struct bpf_spin_lock lock;
	__u64 packets;
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct state);
} flow_state SEC(".maps");

SEC("xdp") int spin_lock(struct xdp_md *ctx)
{
	__u32 key = 0;
	struct state *s = bpf_map_lookup_elem(&flow_state, &key);

	if (!s)
		return XDP_PASS;
	bpf_spin_lock(&s->lock);
	s->packets++;
	bpf_spin_unlock(&s->lock);
	return XDP_PASS;
}

char _license[] SEC("license") = "GPL";
