# kernel: accept
call bpf_get_prandom_u32
r0 &= 0xfff
r4 = 0
r4 -= r0
if r4 > 63 goto out
if r4 != 0 goto bad
out:
r0 = 0
exit
bad:
r0 = *(u64 *)(r4 + 0)
exit
