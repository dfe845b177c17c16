# kernel: accept
# since: 6.12
# A global function's `__arg_nonnull` memory argument dereferenced without a null check:
# 6.12 and 6.18 read the `arg:nonnull` tag (the body starts with a pointer that is not NULL);
# 6.6.47's do_check_common types the arguments from btf_prepare_func_args, tags ignored,
# so the body's pointer may be NULL there and the load is refused.
.global_func g(mem 8 nonnull)
*(u64 *)(r10 - 8) = 0
r1 = r10
r1 += -8
call g
r0 = 2
exit
g:
r0 = *(u64 *)(r1 + 0)
r0 = 0
exit
