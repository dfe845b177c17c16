# kernel: reject
# kernel log: R0 invalid mem access 'scalar' (a 32-bit difference of which some values are below 0 and others not, 1..=200 minus 100, has no unsigned 32-bit range in any version: only the s32 -99..=100, and `if w0 > 100` is walked to the scalar load)
call bpf_get_prandom_u32
r0 &= 255
if r0 > 199 goto out
r0 += 1
w0 -= 100
if w0 > 100 goto bad
out:
r0 = 2
exit
bad:
r0 = *(u64 *)(r0 + 0)
r0 = 2
exit
