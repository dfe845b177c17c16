# kernel: accept
# since: 6.18
# kernel log: w6, a multiple of 8 in 9..=0xfff8, is below 16 for no value; 6.18.44 walks `if w6 < 16` anyway with r6 = 8 ("from 4 to 7: R6=8": the 32-bit bounds 9..=15 narrow the known bits to 8, the update makes it the constant), decides `if r6 == 8` and never reaches the load through r0 (not initialised)
r9 = r1
r6 = *(u32 *)(r9 + 12)
w6 &= 0xfff8
if w6 < 9 goto out
if w6 < 16 goto l4
out:
r0 = 2
exit
l4:
if r6 == 8 goto out
r0 = *(u64 *)(r0 + 0)
r0 = 2
exit
