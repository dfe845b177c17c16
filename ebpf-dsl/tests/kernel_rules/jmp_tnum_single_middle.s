# kernel: accept
# since: 6.18
# r0 is a multiple of 16 (`r0 &= -16`); within 1999..=2015 the only one is 2000, between the
# range's ends: the kernel makes r0 that constant, so `if r0 != 2000` never jumps.
call bpf_get_prandom_u32
r0 &= -16
if r0 < 1999 goto out
if r0 > 2015 goto out
if r0 != 2000 goto bad
goto out
bad:
r0 = *(u8 *)(r3 + 0)
out:
r0 = 2
exit
