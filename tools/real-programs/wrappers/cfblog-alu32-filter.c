/* cloudflare-blog's 2019-04-ebpf-alu32 socket filters (bpf/filter.c) with the function its
 * build links in as LLVM IR (bpf/sub64_ir.c, `llvm-link` then `llc`): the same C compiled in
 * one unit, so that `socket3`'s call to `sub64_ir` is defined (a global function here, where
 * the post's build inlines it). */
#include "2019-04-ebpf-alu32/bpf/filter.c"
#include "2019-04-ebpf-alu32/bpf/sub64_ir.c"
