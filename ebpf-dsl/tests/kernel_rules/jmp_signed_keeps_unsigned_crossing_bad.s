# kernel: reject
# kernel log: R0 invalid mem access 'scalar'
# As jmp_signed_keeps_unsigned_crossing.s, but `r6 < 0x102`: 257 is still possible.
call bpf_get_prandom_u32
r7 = r0
call bpf_get_prandom_u32
w8 = (s8)w0
r6 = (s16)r7
if r6 > 0x100 goto l
r0 = 0
exit
l:
if r6 s<= r8 goto l2
r0 = 0
exit
l2:
if r6 < 0x102 goto bad
r0 = 0
exit
bad:
r0 = *(u64 *)(r0 + 0)
exit
