# kernel: reject
# kernel log: R0 invalid mem access 'scalar'
# `r0 & 1` holds for four values of -129..=-122 (-129, -127, -125, -123): no constant, and
# `r0 != -129` can hold.
call bpf_get_prandom_u32
r0 &= 7
r0 += -129
if r0 & 1 goto l0
r0 = 0
exit
l0:
if r0 != -129 goto bad
r0 = 0
exit
bad:
r0 = *(u64 *)(r0 + 0)
exit
