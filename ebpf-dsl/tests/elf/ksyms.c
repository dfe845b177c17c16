// Test input for tests/elf_ksyms.rs: kfuncs the target kernel may have or lack, resolved as
// libbpf resolves them. rx_hash and rx_vlan_tag are modelled (strong: the object is refused
// where the target lacks one), bpf_weak_missing is weak (its call is poisoned where the target
// lacks it). Compiled with clang-19 -O2 -g -target bpf -c.
#include "hdr.h"
typedef unsigned short __u16;
enum xdp_rss_hash_type { XDP_RSS_TYPE_NONE = 0 };
extern int bpf_xdp_metadata_rx_hash(const struct xdp_md *ctx, __u32 *hash,
                                    enum xdp_rss_hash_type *rss_type) __attribute__((section(".ksyms")));
extern int bpf_xdp_metadata_rx_vlan_tag(const struct xdp_md *ctx, __u16 *vlan_proto,
                                        __u16 *vlan_tci) __attribute__((section(".ksyms")));
extern int bpf_weak_missing(void) __attribute__((section(".ksyms"), weak));
SEC("xdp") int hash(struct xdp_md *ctx) {
  __u32 h = 0;
  enum xdp_rss_hash_type t = XDP_RSS_TYPE_NONE;
  return 2 + 0 * bpf_xdp_metadata_rx_hash(ctx, &h, &t);
}
SEC("xdp") int vlan(struct xdp_md *ctx) {
  __u16 proto = 0, tci = 0;
  return 2 + 0 * bpf_xdp_metadata_rx_vlan_tag(ctx, &proto, &tci);
}
SEC("xdp") int weak(struct xdp_md *ctx) { return bpf_weak_missing(); }
char _license[] SEC("license") = "GPL";
