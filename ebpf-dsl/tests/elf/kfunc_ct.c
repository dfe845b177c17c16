// Test input for tests/elf.rs and ebpf-dsl-cli/tests/cli_elf_text.rs: the conntrack kfuncs
// called as extern functions (`__ksym`): a lookup whose result's `status` (offset 128 in Linux
// 6.18's struct nf_conn) is read before it is released. Compiled with clang-19 -O2 -g -target
// bpf -c.
#include "hdr.h"
typedef unsigned char __u8;
struct bpf_sock_tuple { __u32 saddr, daddr; unsigned short sport, dport; };
struct bpf_ct_opts { int netns_id; int error; __u8 l4proto, dir, reserved[2]; };
struct nf_conn { __u8 before_status[128]; unsigned long status; };
extern struct nf_conn *bpf_xdp_ct_lookup(struct xdp_md *ctx, struct bpf_sock_tuple *tuple,
                                         __u32 tuple__sz, struct bpf_ct_opts *opts,
                                         __u32 opts__sz) __attribute__((section(".ksyms")));
extern void bpf_ct_release(struct nf_conn *ct) __attribute__((section(".ksyms")));
SEC("xdp") int ct(struct xdp_md *ctx) {
  struct bpf_sock_tuple tup = {};
  struct bpf_ct_opts opts = { .netns_id = -1, .l4proto = 6 };
  struct nf_conn *c = bpf_xdp_ct_lookup(ctx, &tup, sizeof(tup), &opts, sizeof(opts));
  if (!c)
    return opts.error == -2 ? 1 : 2;
  unsigned long status = c->status;
  bpf_ct_release(c);
  return status & 8 ? 2 : 1;
}
char _license[] SEC("license") = "GPL";
