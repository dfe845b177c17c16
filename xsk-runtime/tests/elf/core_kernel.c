// Test input for tests/kernel_core.rs: CO-RE and __kconfig against the running kernel. The
// object's own `struct tcphdr___local` has another layout than the kernel's `struct tcphdr`
// (fields by name, `ack` a bitfield read as BPF_CORE_READ_BITFIELD does); the result is the
// kernel's XDP_PASS, found by name in `enum xdp_action`.
typedef unsigned short __u16; typedef unsigned int __u32; typedef unsigned long long __u64;
struct xdp_md { __u32 data, data_end; };
#define SEC(n) __attribute__((section(n), used))
#define __kconfig __attribute__((section(".kconfig")))
enum libbpf_tristate { TRI_NO = 0, TRI_YES = 1, TRI_MODULE = 2 };
extern int LINUX_KERNEL_VERSION __kconfig;
extern enum libbpf_tristate CONFIG_BPF_SYSCALL __kconfig;

struct tcphdr___local { __u32 pad; __u16 ack:1, rest:15; __u16 dest; } __attribute__((preserve_access_index));
enum xdp_action___local { XDP_PASS___local = 99 };
#define FIELD(s, f, k) __builtin_preserve_field_info((s)->f, k)

SEC("xdp") int core_kernel(struct xdp_md *ctx) {
  struct tcphdr___local *t = (void *)(unsigned long)ctx->data;
  if ((void *)t + 20 > (void *)(unsigned long)ctx->data_end) return 0;
  if (LINUX_KERNEL_VERSION < (5 << 16) || CONFIG_BPF_SYSCALL != TRI_YES) return 3;
  const void *p = (const void *)t + FIELD(t, ack, 0);
  __u64 v;
  asm volatile("" : "=r"(p) : "0"(p));
  switch (FIELD(t, ack, 1)) {
  case 1: v = *(const unsigned char *)p; break;
  case 2: v = *(const unsigned short *)p; break;
  case 4: v = *(const unsigned int *)p; break;
  default: v = *(const __u64 *)p; break;
  }
  v <<= FIELD(t, ack, 4);
  v >>= FIELD(t, ack, 5);
  if (!v) return 1;
  if (t->dest != 0x5000) return 1;
  return __builtin_preserve_enum_value(*(enum xdp_action___local *)XDP_PASS___local, 1);
}
char _license[] SEC("license") = "GPL";
