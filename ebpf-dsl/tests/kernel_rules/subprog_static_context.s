# kernel: accept
# global_scalar_in_context.s with a static function: walked at the call, with r1 = 0.
r1 = 0
call f
exit
f:
*(u64 *)(r10 - 8) = 0
r2 = r10
r2 += -8
r2 += r1
r0 = *(u8 *)(r2 + 0)
exit
