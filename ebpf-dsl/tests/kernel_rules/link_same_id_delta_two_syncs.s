# kernel: accept
# target: 6.18
# kernel log: r5 = (s8)r7 (a copy: r7 < 128) and w7 += -8 (a 32-bit delta copy) compared: the kernel refines both, syncs every collected copy from the source r5 (r7 gets r5's refined value moved by the delta, zero-extended), then from the destination r7 (now that value) again; this verifier kept only the hull of both (link fuzz seed 11)
r9 = r1
r6 = *(u32 *)(r9 + 16)
r6 &= 63
r7 = *(u32 *)(r9 + 12)
r7 &= 15
r8 = *(u32 *)(r9 + 12)
r8 &= 255
r5 = (s8)r7
w7 += -8
if r7 > r5 goto l0
r0 = 0
exit
l0:
r7 = r5
r3 = *(s8 *)(r10 - 24)
r8 = r7
if w5 != -8 goto l1
r0 = 0
exit
l1:
*(u8 *)(r10 - 32) = 45
r4 = r5
if w4 > 64 goto bad
r0 = 2
exit
bad:
r0 = 7
r0 = *(u64 *)(r0 + 0)
exit
