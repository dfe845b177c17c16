// Test input for tests/elf_core.rs: `__kconfig` externs (libbpf's .kconfig map): the packet
// is read without a bounds check only where a config value says so, so the verifier accepts
// the program only if it knows the values.
#include "hdr.h"
#define __kconfig __attribute__((section(".kconfig")))
#define __weak __attribute__((weak))
extern int LINUX_KERNEL_VERSION __kconfig;
extern _Bool CONFIG_BPF_JIT __kconfig;
extern int CONFIG_HZ __kconfig __weak;
SEC("xdp") int kconfig(struct xdp_md *ctx) {
  unsigned char *data = (unsigned char *)(unsigned long)ctx->data;
  if (LINUX_KERNEL_VERSION < ((6 << 16) | (6 << 8)) || !CONFIG_BPF_JIT || CONFIG_HZ == 100)
    return data[0];
  return 2;
}
char _license[] SEC("license") = "GPL";
