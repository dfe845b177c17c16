# kernel: reject
# kernel log: R0 invalid mem access 'scalar'
# As link_same_id_src_value.s: the copies end with the source's 9..=15 (not the
# destination's 10..=16), so r0 may be 9.
call bpf_get_prandom_u32
r0 &= 7
r0 += 9
r1 = r0
if r0 s> r1 goto l
r0 = 0
exit
l:
if r0 == 9 goto bad
r0 = 0
exit
bad:
r0 = *(u64 *)(r0 + 0)
exit
