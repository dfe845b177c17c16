# kernel: accept
# A bounded number (0..=0xffff) with a link (`r8 = r6`) spilled and filled: the fill is a linked
# copy (6.1.192 spills any number with a bound, its id kept), so `r7 > 10` narrows r6 too.
call bpf_get_prandom_u32
r6 = r0
r6 &= 0xffff
r8 = r6
*(u64 *)(r10 - 8) = r6
r7 = *(u64 *)(r10 - 8)
if r7 > 10 goto out
if r6 > 10 goto bad
goto out
bad:
r0 = *(u64 *)(r6 + 0)
out:
r0 = 2
exit
