# kernel: reject
# kernel log: frame pointer is read only
# r1 (`r1 += 1`, a 64-bit delta) and r2 (`w2 += 2`, a 32-bit delta) are copies of r0. The
# comparison of r2 refines r0 (synchronised from r2), but not r1: the kernel skips a copy whose
# delta has the other width, so r1 may still be 256 and the write to r10 is reached.
call bpf_get_prandom_u32
r0 &= 255
r1 = r0
r1 += 1
r2 = r0
w2 += 2
if r2 > 10 goto out
if r1 > 9 goto bad
goto out
bad:
r10 = 0
out:
r0 = 2
exit
