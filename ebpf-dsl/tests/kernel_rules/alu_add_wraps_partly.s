# kernel: reject
# kernel log: R0 invalid mem access 'scalar' (a sum of which some values wrap past 2^64 and others do not, 1..=200 plus -100, has no unsigned range in any version: only the signed -99..=100, and `if r0 > 100` is walked to the scalar load)
call bpf_get_prandom_u32
r0 &= 255
if r0 > 199 goto out
r0 += 1
r0 += -100
if r0 > 100 goto bad
out:
r0 = 2
exit
bad:
r0 = *(u64 *)(r0 + 0)
r0 = 2
exit
