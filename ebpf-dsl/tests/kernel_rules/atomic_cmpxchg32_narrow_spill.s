# kernel: accept
# kernel log: R0=scalar(smin=smin32=0,smax=umax=smax32=umax32=15,...) after the cmpxchg
# A 4-byte compare-and-exchange on a 4-byte spill of a number in 0..=15: r0 gets the spilled
# number back (a 4-byte load there restores the narrow spill).
r6 = *(u32 *)(r1 + 12)
r6 &= 15
*(u32 *)(r10 - 8) = w6
r2 = 3
r0 = 16
w0 = cmpxchg32_32(r10 - 8, w0, w2)
if w0 > 15 goto bad
r0 = 2
exit
bad:
r0 = 7
r0 = *(u64 *)(r0 + 0)
exit
