// Reduced from bpf-examples pping (pping_tc_egress, pping_tc_ingress, pping_xdp_ingress):
// `const volatile` configuration in .rodata, set by the loader and frozen before the program
// loads. Written for this corpus (MIT OR Apache-2.0).
//
//   clang-19 -target bpf -O2 -g -c rodata_config.c -o rodata_config.o
//
// Kernel 6.18 (libbpf, or `ebpf-dsl load rodata_config.o`: .rodata written, then frozen):
// accept. A load from a frozen BPF_F_RDONLY_PROG map at a constant offset is a known
// constant, so `if (cfg_parse)` with cfg_parse = 0 makes the unchecked packet read dead code,
// which the kernel does not verify.
// ebpf-dsl check rodata_config.o: reject (packet bounds) -- our verifier does not take the
// initial contents of read-only global data (`elf::Object::data`, read_only) as known values.
// In pping this is the difference between the kernel's 3,993 processed instructions (with
// the frozen config) and 492,577 (the same program as text, config unknown); ours exceeds
// 1,000,000.
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

const volatile __u32 cfg_parse = 0;

SEC("xdp") int rodata_config(struct xdp_md *ctx)
{
	if (cfg_parse)
		return *(unsigned char *)(long)ctx->data == 0x45 ? XDP_DROP : XDP_PASS;
	return XDP_PASS;
}

char _license[] SEC("license") = "GPL";
