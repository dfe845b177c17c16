// A small XDP program in C, to show how a clang-compiled program is ported into this project
// (see README.md next to it). It counts IPv4/UDP packets per destination port in the hash
// map `ports` and drops those to BLOCKED_PORT. No system headers: the few kernel types and
// helpers it needs are declared here.
//
//   clang-19 -O2 -g -target bpf -c port_filter.c -o port_filter.o
typedef unsigned char __u8;
typedef unsigned int __u32;
typedef unsigned long long __u64;
struct xdp_md { __u32 data, data_end, data_meta, ingress_ifindex, rx_queue_index, egress_ifindex; };
#define SEC(n) __attribute__((section(n), used))
#define __uint(name, val) int (*name)[val]
#define __type(name, val) typeof(val) *name
static void *(*bpf_map_lookup_elem)(void *map, const void *key) = (void *)1;
static long (*bpf_map_update_elem)(void *map, const void *key, const void *value, __u64 flags) = (void *)2;

#define XDP_DROP 1
#define XDP_PASS 2
#define BLOCKED_PORT 9

struct {
  __uint(type, 1); /* BPF_MAP_TYPE_HASH */
  __uint(max_entries, 256);
  __type(key, __u32);
  __type(value, __u64);
} ports SEC(".maps");

SEC("xdp") int port_filter(struct xdp_md *ctx) {
  __u8 *data = (__u8 *)(long)ctx->data;
  __u8 *end = (__u8 *)(long)ctx->data_end;
  if (data + 14 + 20 + 8 > end)
    return XDP_PASS;
  if (data[12] != 0x08 || data[13] != 0x00) /* not IPv4 */
    return XDP_PASS;
  if (data[14] != 0x45 || data[23] != 17) /* IP options, or not UDP */
    return XDP_PASS;
  __u32 port = (data[36] << 8) | data[37];
  __u64 one = 1;
  __u64 *n = bpf_map_lookup_elem(&ports, &port);
  if (n)
    __sync_fetch_and_add(n, 1);
  else
    bpf_map_update_elem(&ports, &port, &one, 0);
  return port == BLOCKED_PORT ? XDP_DROP : XDP_PASS;
}

char _license[] SEC("license") = "Dual MIT/GPL";
