# kernel: accept
# r6 = (s16) of a number: -32768..=32767; `r6 > 0x100` leaves umin 257 (the negative half
# and 257..=32767). `r6 s<= r8` narrows only the signed bounds (`regs_refine_cond_op`): the
# unsigned range crossing the sign bit stays, so `r6 < 0x7f` never holds.
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
if r6 < 0x7f goto bad
r0 = 0
exit
bad:
r0 = *(u64 *)(r0 + 0)
exit
