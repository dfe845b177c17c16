// Test input for tests/elf_rcu.rs: RCU read sections (bpf_rcu_read_lock / bpf_rcu_read_unlock)
// in tc, XDP and socket-filter programs: what a section allows (helpers, the program's and
// global functions, callbacks, a bpf_spin_lock inside) and refuses (nesting, an unmatched
// unlock, exit, a tail call inside, a call under a spin lock), and the RCU pointer (a
// bpf_crypto_ctx kptr) that turns untrusted once a section closes.
// Compiled with clang-19 -O2 -g -target bpf -c.
#include "hdr.h"
#define __ksym __attribute__((section(".ksyms")))
extern void bpf_rcu_read_lock(void) __ksym;
extern void bpf_rcu_read_unlock(void) __ksym;
struct bpf_spin_lock { __u32 val; };
static void *(*bpf_map_lookup_elem)(void *map, const void *key) = (void *)1;
static long (*bpf_tail_call)(void *ctx, void *map, __u32 index) = (void *)12;
static long (*bpf_spin_lock)(struct bpf_spin_lock *l) = (void *)93;
static long (*bpf_spin_unlock)(struct bpf_spin_lock *l) = (void *)94;
static long (*bpf_loop)(__u32 n, void *cb, void *ctx, __u64 flags) = (void *)181;
struct val { struct bpf_spin_lock l; __u32 v; };
struct { int (*type)[2]; int (*max_entries)[1]; int *key; struct val *value; } arr SEC(".maps");
struct { int (*type)[3]; int (*max_entries)[1]; int *key; int *value; } progs SEC(".maps");
#define NOI __attribute__((noinline))
SEC("tc") int rcu_ok(struct __sk_buff *ctx) {
  int k = 0; struct val *v;
  bpf_rcu_read_lock();
  v = bpf_map_lookup_elem(&arr, &k);
  if (v) k = v->v;
  bpf_rcu_read_unlock();
  return k;
}
SEC("tc") int rcu_nested(struct __sk_buff *ctx) {
  bpf_rcu_read_lock(); bpf_rcu_read_lock();
  bpf_rcu_read_unlock(); bpf_rcu_read_unlock();
  return 0;
}
SEC("tc") int rcu_unmatched(struct __sk_buff *ctx) { bpf_rcu_read_unlock(); return 0; }
SEC("tc") int rcu_exit_held(struct __sk_buff *ctx) { bpf_rcu_read_lock(); return 0; }
SEC("tc") int rcu_tail_call(struct __sk_buff *ctx) {
  bpf_rcu_read_lock(); bpf_tail_call(ctx, &progs, 0); bpf_rcu_read_unlock(); return 0;
}
SEC("tc") int rcu_spin_inside(struct __sk_buff *ctx) {
  int k = 0; struct val *v = bpf_map_lookup_elem(&arr, &k);
  if (!v) return 0;
  bpf_rcu_read_lock(); bpf_spin_lock(&v->l); v->v++; bpf_spin_unlock(&v->l); bpf_rcu_read_unlock();
  return 0;
}
SEC("tc") int rcu_under_spin(struct __sk_buff *ctx) {
  int k = 0; struct val *v = bpf_map_lookup_elem(&arr, &k);
  if (!v) return 0;
  bpf_spin_lock(&v->l); bpf_rcu_read_lock(); bpf_rcu_read_unlock(); bpf_spin_unlock(&v->l);
  return 0;
}
static NOI int sub_lock(int x) { bpf_rcu_read_lock(); return x + 1; }
static NOI int sub_unlock(int x) { bpf_rcu_read_unlock(); return x + 1; }
SEC("tc") int rcu_across_subprogs(struct __sk_buff *ctx) {
  int r = sub_lock(ctx->len);
  return sub_unlock(r);
}
static NOI int sub_plain(int x) { return x * 2; }
SEC("tc") int rcu_subprog_inside(struct __sk_buff *ctx) {
  int r;
  bpf_rcu_read_lock(); r = sub_plain(ctx->len); bpf_rcu_read_unlock();
  return r;
}
__attribute__((noinline)) int glob(int x) { return x + 3; }
SEC("tc") int rcu_global_inside(struct __sk_buff *ctx) {
  int r;
  bpf_rcu_read_lock(); r = glob(ctx->len); bpf_rcu_read_unlock();
  return r;
}
static int cb(__u32 i, void *c) { bpf_rcu_read_lock(); bpf_rcu_read_unlock(); return 0; }
SEC("tc") int rcu_in_loop_cb(struct __sk_buff *ctx) { bpf_loop(4, cb, 0, 0); return 0; }
static int cb2(__u32 i, void *c) { return 0; }
SEC("tc") int rcu_loop_inside(struct __sk_buff *ctx) { bpf_rcu_read_lock(); bpf_loop(4, cb2, 0, 0); bpf_rcu_read_unlock(); return 0; }
SEC("tc") int rcu_branch(struct __sk_buff *ctx) {
  __u32 l = ctx->len;
  if (l > 10) bpf_rcu_read_lock();
  l += 2;
  if (l > 12) bpf_rcu_read_unlock();
  return 0;
}
SEC("xdp") int rcu_xdp(struct xdp_md *ctx) { bpf_rcu_read_lock(); bpf_rcu_read_unlock(); return 2; }
SEC("socket") int rcu_sock(struct __sk_buff *ctx) { bpf_rcu_read_lock(); bpf_rcu_read_unlock(); return 0; }

struct bpf_dynptr { __u64 a, b; } __attribute__((aligned(8)));
struct bpf_crypto_ctx { int opaque; };
static long (*bpf_dynptr_from_mem)(void *data, __u32 size, __u64 flags,
                                   struct bpf_dynptr *ptr) = (void *)197;
extern int bpf_dynptr_from_skb(struct __sk_buff *s, __u64 flags, struct bpf_dynptr *ptr__uninit) __ksym;
extern int bpf_crypto_encrypt(struct bpf_crypto_ctx *ctx, const struct bpf_dynptr *src,
                              const struct bpf_dynptr *dst, const struct bpf_dynptr *siv) __ksym;
struct ctx_value { struct bpf_crypto_ctx __attribute__((btf_type_tag("kptr"))) *ctx; };
struct { int (*type)[2]; int (*max_entries)[1]; __u32 *key; struct ctx_value *value; } cctx SEC(".maps");
struct { int (*type)[2]; int (*max_entries)[1]; __u32 *key; char (*value)[16]; } bufs SEC(".maps");
static __attribute__((always_inline)) int encrypt(struct __sk_buff *skb, int section) {
  struct bpf_dynptr src, dst;
  __u32 key = 0;
  struct ctx_value *v = bpf_map_lookup_elem(&cctx, &key);
  struct bpf_crypto_ctx *c;
  char *out;
  if (!v)
    return 0;
  c = v->ctx;
  if (!c)
    return 0;
  if (section) {
    bpf_rcu_read_lock();
    bpf_rcu_read_unlock();
  }
  out = bpf_map_lookup_elem(&bufs, &key);
  if (!out)
    return 0;
  bpf_dynptr_from_skb(skb, 0, &src);
  bpf_dynptr_from_mem(out, 16, 0, &dst);
  return bpf_crypto_encrypt(c, &src, &dst, 0);
}
SEC("tc") int rcu_ptr_used(struct __sk_buff *skb) { return encrypt(skb, 0); }
SEC("tc") int rcu_ptr_after_section(struct __sk_buff *skb) { return encrypt(skb, 1); }
char _license[] SEC("license") = "GPL";
