# kernel: accept
# since: 6.12
# A context argument given by its tag alone: `.global_func f(ctx tagged)` is written as a
# `void *` tagged `arg:ctx` (`__arg_ctx`), which 6.18 (and upstream 6.8 on) takes as the
# context. 6.6.47 ignores the tag: its btf_prepare_func_args cannot size the `void`
# ("arg#0 reference type('UNKNOWN ') size cannot be determined") and refuses the program.
# `.global_func f(ctx)` (global_ctx_scalar_ok) is a `struct xdp_md *`, the context on every
# kernel.
.global_func f(ctx tagged)
call f
exit
f:
r0 = *(u32 *)(r1 + 12)
exit
