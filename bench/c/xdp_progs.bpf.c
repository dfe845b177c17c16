// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * The benchmark's XDP programs in C, compiled by the harness with
 *   clang-19 -O2 -g -target bpf -c xdp_progs.bpf.c
 * Each program is the C twin of a program the Rust side writes with our DSL:
 *   xsk_all      seed 1: every packet to the XSK at rx_queue_index, fallback XDP_PASS
 *                (the AF_XDP reference receiver attaches this one)
 *   xsk_udp      seed 2: only IPv4 UDP (protocol byte at offset 23 == 17, after a 34-byte bounds
 *                check) to the XSK, the rest XDP_PASS
 *   parse_udp    header parsing: Ethernet, up to two VLAN tags, IPv4 (any IHL) or IPv6,
 *                UDP to destination port 4791 -> XSK, everything else XDP_PASS
 *   xsk_echo     the twin of xsk-echo's program: IPv4 (any IHL) UDP to port ECHO_PORT (7777)
 *                -> XSK, everything else (ARP included) XDP_PASS; used by xsk_ref -m echo
 */
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/in.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/udp.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

struct {
	__uint(type, BPF_MAP_TYPE_XSKMAP);
	__uint(max_entries, 64);
	__type(key, __u32);
	__type(value, __u32);
} xsks SEC(".maps");

SEC("xdp")
int xsk_all(struct xdp_md *ctx)
{
	return bpf_redirect_map(&xsks, ctx->rx_queue_index, XDP_PASS);
}

SEC("xdp")
int xsk_udp(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	if (data + 34 > data_end)
		return XDP_PASS;
	if (*(__u8 *)(data + 23) != IPPROTO_UDP)
		return XDP_PASS;
	return bpf_redirect_map(&xsks, ctx->rx_queue_index, XDP_PASS);
}

#define PARSE_PORT 4791

SEC("xdp")
int parse_udp(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;
	if ((void *)(eth + 1) > data_end)
		return XDP_PASS;
	__u16 proto = eth->h_proto;
	void *l3 = eth + 1;
	/* Up to two VLAN tags: 802.1Q or 802.1ad outside, 802.1Q inside (as our snippet). */
	if (proto == bpf_htons(ETH_P_8021Q) || proto == bpf_htons(ETH_P_8021AD)) {
		if (l3 + 4 > data_end)
			return XDP_PASS;
		proto = *(__u16 *)(l3 + 2);
		l3 += 4;
		if (proto == bpf_htons(ETH_P_8021Q)) {
			if (l3 + 4 > data_end)
				return XDP_PASS;
			proto = *(__u16 *)(l3 + 2);
			l3 += 4;
		}
	}
	struct udphdr *udp;
	if (proto == bpf_htons(ETH_P_IP)) {
		struct iphdr *ip = l3;
		if ((void *)(ip + 1) > data_end)
			return XDP_PASS;
		if (ip->protocol != IPPROTO_UDP)
			return XDP_PASS;
		__u32 ihl = ip->ihl * 4;
		if (ihl < 20)
			return XDP_PASS;
		udp = l3 + ihl;
	} else if (proto == bpf_htons(ETH_P_IPV6)) {
		struct ipv6hdr *ip6 = l3;
		if ((void *)(ip6 + 1) > data_end)
			return XDP_PASS;
		if (ip6->nexthdr != IPPROTO_UDP)
			return XDP_PASS;
		udp = (void *)(ip6 + 1);
	} else {
		return XDP_PASS;
	}
	if ((void *)(udp + 1) > data_end)
		return XDP_PASS;
	if (udp->dest != bpf_htons(PARSE_PORT))
		return XDP_PASS;
	return bpf_redirect_map(&xsks, ctx->rx_queue_index, XDP_PASS);
}

#define ECHO_PORT 7777

SEC("xdp")
int xsk_echo(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;
	if ((void *)(eth + 1) > data_end || eth->h_proto != bpf_htons(ETH_P_IP))
		return XDP_PASS;
	struct iphdr *ip = (void *)(eth + 1);
	if ((void *)(ip + 1) > data_end || ip->protocol != IPPROTO_UDP || ip->ihl < 5)
		return XDP_PASS;
	struct udphdr *udp = (void *)ip + ip->ihl * 4;
	if ((void *)(udp + 1) > data_end || udp->dest != bpf_htons(ECHO_PORT))
		return XDP_PASS;
	return bpf_redirect_map(&xsks, ctx->rx_queue_index, XDP_PASS);
}

char LICENSE[] SEC("license") = "Dual MIT/GPL";
