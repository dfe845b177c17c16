// SPDX-License-Identifier: GPL-2.0 OR MIT
/* The traffic sink of the benchmark: drop everything (the peer counts it in rx_packets). */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

SEC("xdp")
int sink(struct xdp_md *ctx)
{
	(void)ctx;
	return XDP_DROP;
}

char LICENSE[] SEC("license") = "Dual MIT/GPL";
