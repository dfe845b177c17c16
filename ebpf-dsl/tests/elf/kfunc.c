// Test input for tests/elf.rs and ebpf-dsl-cli/tests/cli_elf_text.rs: the XDP metadata kfuncs
// called as extern functions (`__ksym`), in the main program and in a subprogram. Compiled with
// clang-19 -O2 -g -target bpf -c.
#include "hdr.h"
typedef unsigned short __u16;
enum xdp_rss_hash_type { XDP_RSS_TYPE_NONE = 0 };
extern int bpf_xdp_metadata_rx_timestamp(const struct xdp_md *ctx, __u64 *timestamp) __attribute__((section(".ksyms")));
extern int bpf_xdp_metadata_rx_hash(const struct xdp_md *ctx, __u32 *hash,
                                    enum xdp_rss_hash_type *rss_type) __attribute__((section(".ksyms")));
static __attribute__((noinline)) int stamp(struct xdp_md *ctx) {
  __u64 t = 0;
  return bpf_xdp_metadata_rx_timestamp(ctx, &t) == 0;
}
SEC("xdp") int rxmeta(struct xdp_md *ctx) {
  __u32 hash = 0;
  enum xdp_rss_hash_type type = XDP_RSS_TYPE_NONE;
  int ok = bpf_xdp_metadata_rx_hash(ctx, &hash, &type) == 0;
  return 2 + 0 * (ok + stamp(ctx));
}
char _license[] SEC("license") = "GPL";
