# kernel: accept
# `w2 s>>= 31` of any value is -1 or 0 in its low 32 bits (`scalar32_min_max_arsh` shifts the
# signed 32-bit bounds), though the register's 64-bit value is 0 or 0xffffffff: `w2 s> 0`
# never holds and the read of the uninitialised r3 is dead code.
call bpf_get_prandom_u32
w2 = w0
w2 s>>= 31
if w2 s> 0 goto bad
r0 = 2
exit
bad:
r0 = *(u8 *)(r3 + 0)
exit
