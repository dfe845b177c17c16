# kernel: accept
# since: 6.18
# `r0 & 64` holds for one value of -129..=-122 only (-129, 0x..ff7f): on the taken branch
# 6.18's bounds sync makes r0 that constant (`__update_reg64_bounds`: the range holds one
# value of the known bits), so `r0 != -129` never holds.
call bpf_get_prandom_u32
r0 &= 7
r0 += -129
if r0 & 64 goto l0
r0 = 0
exit
l0:
if r0 != -129 goto bad
r0 = 0
exit
bad:
r0 = *(u64 *)(r0 + 0)
exit
