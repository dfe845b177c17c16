# kernel: reject
# target: 6.18
# kernel log: R0 invalid mem access 'scalar'
# r8 = r6 - 1 (a linked copy with a 64-bit delta), then `r8 s<= 0x4000000` and the 32-bit
# `w8 s> 0x3fffffe` leave r8 0x3ffffff..=0x4000000 with the known bits (0x4f5400; 0x40003ff):
# no number has both, but the kernel walks on. It gives r6 the sum r8 + 1 and synchronises it,
# which 6.18.44 makes the constant 0x44f5000, above 0x4441082: the bad branch is taken. Ours
# had given r6 0x4000000..=0x4000001 in its low half and never walked it (a false accept);
# a copy of a value that holds no number is now any number. Found by the sync fuzzer (seed
# 1230013, program #91168).
r9 = r1
r6 = *(u32 *)(r9 + 16)
w6 &= 67245189
w6 |= 5199360
r8 = r6
r8 += -1
if r8 s<= 67108864 goto l1
goto out
l1:
if w8 s<= 67108862 goto out
r7 = *(u32 *)(r9 + 16)
r7 = bswap16 r7
if w6 > 71569538 goto bad
r0 = 2
exit
bad:
r0 = 7
r0 = *(u64 *)(r0 + 0)
exit
out:
r0 = 2
exit
