// Test input for tests/elf_real.rs and the CLI: section names that give no program type
// (iproute2 / old libbpf style, as in xdp-tutorial and Suricata) beside a tracing section.
#include "hdr.h"
SEC("xdp_pass") int pass_func(struct xdp_md *ctx) { return 2; }
SEC("xdp_drop") int drop_func(struct xdp_md *ctx) { return 1; }
SEC("kprobe/do_nothing") int probe(void *ctx) { return 0; }
char _license[] SEC("license") = "GPL";
