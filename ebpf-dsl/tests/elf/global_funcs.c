// Test input for tests/elf_real.rs: compiled with clang-19 -O2 -g -target bpf -c. `parse` and
// `bad` are global functions (BTF linkage global): the kernel verifies each once from its
// prototype. `bad` is safe only with the constant its caller passes.
#include "hdr.h"
__attribute__((noinline)) int parse(struct xdp_md *ctx, __u32 *out)
{
	if (!out)
		return 0;
	*out = ctx->rx_queue_index;
	return 1;
}
__attribute__((noinline)) int bad(__u32 i)
{
	volatile char buf[8] = {};
	return buf[i];
}
SEC("xdp") int good_prog(struct xdp_md *ctx)
{
	__u32 q = 0;
	return parse(ctx, &q) + parse(ctx, &q) + (q & 1);
}
SEC("xdp") int bad_prog(struct xdp_md *ctx) { return bad(2); }
char _license[] SEC("license") = "GPL";
