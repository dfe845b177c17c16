// Test input for tests/elf.rs: the crypto kfuncs called as extern functions (`__ksym`), with
// the crypto context kept in an array map's value as a referenced kptr (`__kptr`: the BTF
// type tag `kptr` on the pointer). A tc program loads it (an RCU pointer, NULL-checked) and
// encrypts the packet (an skb dynptr) into another map's value (a local dynptr), without an IV.
// Compiled with clang-19 -O2 -g -target bpf -c.
#include "hdr.h"
#define __uint(name, val) int (*name)[val]
#define __type(name, val) typeof(val) *name
#define __kptr __attribute__((btf_type_tag("kptr")))
struct bpf_dynptr { __u64 a, b; } __attribute__((aligned(8)));
// A struct, not a forward declaration: libbpf matches the extern prototypes against the
// kernel's, and a FWD is not a STRUCT.
struct bpf_crypto_ctx { int opaque; };
static void *(*bpf_map_lookup_elem)(void *map, const void *key) = (void *)1;
static long (*bpf_dynptr_from_mem)(void *data, __u32 size, __u64 flags,
                                   struct bpf_dynptr *ptr) = (void *)197;
extern int bpf_dynptr_from_skb(struct __sk_buff *s, __u64 flags, struct bpf_dynptr *ptr__uninit)
    __attribute__((section(".ksyms")));
extern int bpf_crypto_encrypt(struct bpf_crypto_ctx *ctx, const struct bpf_dynptr *src,
                              const struct bpf_dynptr *dst, const struct bpf_dynptr *siv)
    __attribute__((section(".ksyms")));
struct ctx_value { struct bpf_crypto_ctx __kptr *ctx; };
struct {
  __uint(type, 2);
  __uint(max_entries, 1);
  __type(key, __u32);
  __type(value, struct ctx_value);
} cctx SEC(".maps");
struct {
  __uint(type, 2);
  __uint(max_entries, 1);
  __type(key, __u32);
  __type(value, char[16]);
} bufs SEC(".maps");
SEC("tc") int enc(struct __sk_buff *skb) {
  struct bpf_dynptr src, dst;
  __u32 key = 0;
  struct ctx_value *v = bpf_map_lookup_elem(&cctx, &key);
  if (!v)
    return 0;
  struct bpf_crypto_ctx *c = v->ctx;
  if (!c)
    return 0;
  char *out = bpf_map_lookup_elem(&bufs, &key);
  if (!out)
    return 0;
  bpf_dynptr_from_skb(skb, 0, &src);
  bpf_dynptr_from_mem(out, 16, 0, &dst);
  return bpf_crypto_encrypt(c, &src, &dst, 0);
}
char _license[] SEC("license") = "GPL";
