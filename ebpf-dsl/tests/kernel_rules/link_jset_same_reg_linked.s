# kernel: reject
# target: 6.12
# kernel log: R0 invalid mem access 'scalar'
# `if r8 & r8` collects r8's link twice (r4, r6, r8, fp-8): r8 and fp-8 pass the kernel's
# limit of 6 and lose it, so `r4 == 0xff00` does not bound r8. Checked for 6.12 and later:
# for 6.6 this verifier does not link a narrow spill, which leaves three copies (six entries).
r9 = r1
r6 = *(u32 *)(r9 + 12)
r7 = *(u32 *)(r9 + 12)
r7 &= 63
r8 = *(u32 *)(r9 + 12)
r8 &= 4095
r8 = r6
r4 = r8
w7 ^= 16
*(u32 *)(r10 - 8) = r6
if r4 <= -4 goto l0
r0 = 0
exit
l0:
r2 = *(u32 *)(r10 - 24)
if r8 & r8 goto l1
r0 = 0
exit
l1:
if r4 == 65280 goto l2
r0 = 0
exit
l2:
r3 = (s8)r6
w7 *= 9
r3 = (s32)r6
if w8 s< -1 goto bad
r0 = 2
exit
bad:
r0 = 7
r0 = *(u64 *)(r0 + 0)
exit
