# kernel: accept
# target: 6.18
# The 2^29 class's second walk prunes as the first (the kernel's liveness and precision):
# 22 diamonds build a number in r9 that is live (stored at the end) but imprecise (no bound,
# offset or decided jump reads it), 2^22 distinct values; the kernel prunes them all against
# its checkpoints. The offset added to the packet pointer at the end (a 32-bit difference of
# two packet bytes: 0..=4294967295, exactly the kernel's, minimum 0) taints the first walk; a
# second walk that compared every scalar exactly ran out of budget and kept the doubt (a
# false reject: Auto_XDP's Minecraft handler, tools/real-programs, 201,893 instructions in
# the kernel).
r2 = *(u32 *)(r1 + 0)
r3 = *(u32 *)(r1 + 4)
r4 = r2
r4 += 32
if r4 > r3 goto out
r9 = 0
r5 = *(u8 *)(r2 + 0)
if r5 > 0x10 goto one0
r9 <<= 1
goto next0
one0:
r9 <<= 1
r9 |= 1
next0:
r5 = *(u8 *)(r2 + 1)
if r5 > 0x10 goto one1
r9 <<= 1
goto next1
one1:
r9 <<= 1
r9 |= 1
next1:
r5 = *(u8 *)(r2 + 2)
if r5 > 0x10 goto one2
r9 <<= 1
goto next2
one2:
r9 <<= 1
r9 |= 1
next2:
r5 = *(u8 *)(r2 + 3)
if r5 > 0x10 goto one3
r9 <<= 1
goto next3
one3:
r9 <<= 1
r9 |= 1
next3:
r5 = *(u8 *)(r2 + 4)
if r5 > 0x10 goto one4
r9 <<= 1
goto next4
one4:
r9 <<= 1
r9 |= 1
next4:
r5 = *(u8 *)(r2 + 5)
if r5 > 0x10 goto one5
r9 <<= 1
goto next5
one5:
r9 <<= 1
r9 |= 1
next5:
r5 = *(u8 *)(r2 + 6)
if r5 > 0x10 goto one6
r9 <<= 1
goto next6
one6:
r9 <<= 1
r9 |= 1
next6:
r5 = *(u8 *)(r2 + 7)
if r5 > 0x10 goto one7
r9 <<= 1
goto next7
one7:
r9 <<= 1
r9 |= 1
next7:
r5 = *(u8 *)(r2 + 8)
if r5 > 0x10 goto one8
r9 <<= 1
goto next8
one8:
r9 <<= 1
r9 |= 1
next8:
r5 = *(u8 *)(r2 + 9)
if r5 > 0x10 goto one9
r9 <<= 1
goto next9
one9:
r9 <<= 1
r9 |= 1
next9:
r5 = *(u8 *)(r2 + 10)
if r5 > 0x10 goto one10
r9 <<= 1
goto next10
one10:
r9 <<= 1
r9 |= 1
next10:
r5 = *(u8 *)(r2 + 11)
if r5 > 0x10 goto one11
r9 <<= 1
goto next11
one11:
r9 <<= 1
r9 |= 1
next11:
r5 = *(u8 *)(r2 + 12)
if r5 > 0x10 goto one12
r9 <<= 1
goto next12
one12:
r9 <<= 1
r9 |= 1
next12:
r5 = *(u8 *)(r2 + 13)
if r5 > 0x10 goto one13
r9 <<= 1
goto next13
one13:
r9 <<= 1
r9 |= 1
next13:
r5 = *(u8 *)(r2 + 14)
if r5 > 0x10 goto one14
r9 <<= 1
goto next14
one14:
r9 <<= 1
r9 |= 1
next14:
r5 = *(u8 *)(r2 + 15)
if r5 > 0x10 goto one15
r9 <<= 1
goto next15
one15:
r9 <<= 1
r9 |= 1
next15:
r5 = *(u8 *)(r2 + 16)
if r5 > 0x10 goto one16
r9 <<= 1
goto next16
one16:
r9 <<= 1
r9 |= 1
next16:
r5 = *(u8 *)(r2 + 17)
if r5 > 0x10 goto one17
r9 <<= 1
goto next17
one17:
r9 <<= 1
r9 |= 1
next17:
r5 = *(u8 *)(r2 + 18)
if r5 > 0x10 goto one18
r9 <<= 1
goto next18
one18:
r9 <<= 1
r9 |= 1
next18:
r5 = *(u8 *)(r2 + 19)
if r5 > 0x10 goto one19
r9 <<= 1
goto next19
one19:
r9 <<= 1
r9 |= 1
next19:
r5 = *(u8 *)(r2 + 20)
if r5 > 0x10 goto one20
r9 <<= 1
goto next20
one20:
r9 <<= 1
r9 |= 1
next20:
r5 = *(u8 *)(r2 + 21)
if r5 > 0x10 goto one21
r9 <<= 1
goto next21
one21:
r9 <<= 1
r9 |= 1
next21:
r6 = *(u8 *)(r2 + 30)
r7 = *(u8 *)(r2 + 31)
w6 -= w7
r4 = r2
r4 += r6
*(u32 *)(r10 - 4) = 0
r2 = r10
r2 += -4
r1 = m ll
call bpf_map_lookup_elem
if r0 == 0 goto out
*(u64 *)(r0 + 0) = r9
out:
r0 = 2
exit
