# kernel: reject
# target: 6.18
# kernel log: R0 invalid mem access 'scalar'
# As link_jmp32_same_id_taken_only.s, but the fall-through (`w7 >= w6`) learns nothing:
# w7 may be 0 there.
call bpf_get_prandom_u32
r7 = r0
r7 <<= 32
r7 |= r0
r6 = r7
if w7 < w6 goto l0
if w7 == 0 goto bad
r0 = 0
exit
l0:
r0 = 2
exit
bad:
r0 = 7
r0 = *(u64 *)(r0 + 0)
exit
