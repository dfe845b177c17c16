# kernel: reject
# kernel log: R0 invalid mem access 'scalar'
# The low 12 bits of `w0 s>>= 3` are known set, the others are not known: 0x7fff >> 3 is
# 0xfff, so `w0 == 4095` can hold.
call bpf_get_prandom_u32
r0 |= 32767
w0 s>>= 3
if w0 == 4095 goto bad
r0 = 0
exit
bad:
r0 = *(u64 *)(r0 + 0)
exit
