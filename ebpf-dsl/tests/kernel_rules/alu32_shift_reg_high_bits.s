# kernel: reject
# kernel log: R7 invalid mem access 'scalar'
# (w7 s>>= w8 with r8 = 1 << 36: the low half is 0, but the kernel reads r8's 64-bit umax,
# finds it >= 32, and makes r7 unknown in all 64 bits; the dereference is then reached)
r7 = 2
r8 = 0x1000000000 ll
w7 s>>= w8
if r7 == 2 goto ok
r0 = *(u64 *)(r7 + 0)
ok:
r0 = 2
exit
