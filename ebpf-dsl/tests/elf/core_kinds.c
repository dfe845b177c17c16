// Test input for tests/elf_core.rs: CO-RE relocations of every class, as bpf_core_read.h's
// macros compile them (written with clang's builtins, no libbpf headers): a bitfield read
// (BPF_CORE_READ_BITFIELD), a field guarded by bpf_core_field_exists, a field read without
// a guard, a type's size and an enumerator's value; and the call of a weak kfunc.
#include "hdr.h"
struct flags { __u32 word; __u32 lo:3, ack:1, hi:4; } __attribute__((preserve_access_index));
struct maybe { __u32 x; __u32 extra; } __attribute__((preserve_access_index));
enum color { RED, GREEN, BLUE };
#define FIELD(s, f, k) __builtin_preserve_field_info((s)->f, k)

static __attribute__((always_inline)) __u64 read_ack(struct flags *f) {
  const void *p = (const void *)f + FIELD(f, ack, 0);
  __u64 v;
  asm volatile("" : "=r"(p) : "0"(p));
  switch (FIELD(f, ack, 1)) {
  case 1: v = *(const unsigned char *)p; break;
  case 2: v = *(const unsigned short *)p; break;
  case 4: v = *(const unsigned int *)p; break;
  case 8: v = *(const __u64 *)p; break;
  default: v = 0; break;
  }
  v <<= FIELD(f, ack, 4);
  if (FIELD(f, ack, 3))
    v = (long long)v >> FIELD(f, ack, 5);
  else
    v >>= FIELD(f, ack, 5);
  return v;
}

SEC("xdp") int bitfield(struct xdp_md *ctx) {
  struct flags *f = (struct flags *)(unsigned long)ctx->data;
  if ((void *)(f + 1) > (void *)(unsigned long)ctx->data_end) return 2;
  return read_ack(f) ? 1 : 2;
}

SEC("xdp") int guarded(struct xdp_md *ctx) {
  struct maybe *m = (struct maybe *)(unsigned long)ctx->data;
  if ((void *)(m + 1) > (void *)(unsigned long)ctx->data_end) return 2;
  if (FIELD(m, extra, 2))
    return m->extra == 7 ? 1 : 2;
  return 2;
}

SEC("xdp") int unguarded(struct xdp_md *ctx) {
  struct maybe *m = (struct maybe *)(unsigned long)ctx->data;
  if ((void *)(m + 1) > (void *)(unsigned long)ctx->data_end) return 2;
  return m->extra == 7 ? 1 : 2;
}

SEC("xdp") int sizes(struct xdp_md *ctx) {
  return __builtin_preserve_type_info(*(struct maybe *)0, 1) == 8 &&
         __builtin_preserve_enum_value(*(enum color *)BLUE, 1) == 2 ? 2 : 1;
}
// A weak kfunc the target lacks: libbpf poisons the call.
extern int bpf_missing_kfunc(void) __attribute__((section(".ksyms"), weak));
SEC("xdp") int weak_kfunc(struct xdp_md *ctx) { return bpf_missing_kfunc(); }
char _license[] SEC("license") = "GPL";
