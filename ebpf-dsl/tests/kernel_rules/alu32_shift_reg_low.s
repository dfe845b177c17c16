# kernel: accept
# kernel log: a 32-bit shift by a register whose 64-bit value is below 32 is computed
r7 = 2
r8 = 3
w7 <<= w8
if r7 == 16 goto ok
r0 = *(u64 *)(r7 + 0)
ok:
r0 = 2
exit
