# kernel: accept
# since: 6.12
# Two copies of an unknown 64-bit value compared with `w <`: the taken branch makes the
# source's low half at least 1, which every copy gets (`sync_linked_regs`), although the
# fall-through learns nothing (link fuzz seed 332). 6.6 refines two registers only for a
# constant or a 64-bit `==` / `!=` (reg_combine_min_max): it refuses.
call bpf_get_prandom_u32
r7 = r0
r7 <<= 32
r7 |= r0
r6 = r7
if w7 < w6 goto l0
r0 = 0
exit
l0:
if w7 == 0 goto bad
r0 = 2
exit
bad:
r0 = 7
r0 = *(u64 *)(r0 + 0)
exit
