// Test input for tests/elf_ksyms.rs: `__ksym` kernel variables whose address a program takes,
// typed (libbpf's ld_imm64 BPF_PSEUDO_BTF_ID of the kernel's BTF VAR) and typeless (the
// /proc/kallsyms address; NO_TYPED leaves the typed one out, NO_TYPELESS the typeless one),
// and with WEAK_MISSING a weak typed one (libbpf loads 0 where the kernel lacks it).
// Compiled with clang-19 -O2 -g -target bpf -c.
#include "hdr.h"
#ifndef NO_TYPED
extern const int bpf_prog_active __attribute__((section(".ksyms")));
#endif
#ifndef NO_TYPELESS
extern const void bpf_typeless_sym __attribute__((section(".ksyms")));
#endif
#ifdef WEAK_MISSING
extern const int bpf_weak_missing __attribute__((section(".ksyms"), weak));
SEC("tc") int weak(struct __sk_buff *ctx) {
  long a = (long)&bpf_weak_missing;
  asm volatile("" : "+r"(a));
  return a == 0 ? 1 : 2;
}
#endif
#ifndef NO_TYPED
SEC("xdp") int typed(struct xdp_md *ctx) {
  long a = (long)&bpf_prog_active;
  asm volatile("" : "+r"(a));
  return a == 0 ? 1 : 2;
}
#endif
#ifndef NO_TYPELESS
SEC("xdp") int typeless(struct xdp_md *ctx) {
  long a = (long)&bpf_typeless_sym;
  asm volatile("" : "+r"(a));
  return a == 0 ? 1 : 2;
}
#endif
SEC("xdp") int plain(struct xdp_md *ctx) { return 2; }
char _license[] SEC("license") = "GPL";
