/* Test input for tests/elf.rs: the few kernel types the C programs use (no system headers). */
typedef unsigned int __u32; typedef unsigned long long __u64;
struct xdp_md { __u32 data, data_end, data_meta, ingress_ifindex, rx_queue_index, egress_ifindex; };
struct __sk_buff { __u32 len; };
#define SEC(n) __attribute__((section(n), used))
