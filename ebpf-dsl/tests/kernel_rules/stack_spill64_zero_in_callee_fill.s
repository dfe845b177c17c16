# kernel: accept
# since: 6.12
# A callee spills a number, then a constant 0, into its caller's slot through a pointer; the
# caller's 2-byte load from inside the slot reads the spilled zero, so it is 0
# (check_stack_read_fixed_off: spill_cnt == size of a constant-zero register).
r1 = r10
r1 += -8
r2 = 5
call f
r7 = *(u16 *)(r10 - 6)
if r7 != 0 goto bad
r0 = 2
exit
bad:
r0 = 7
r0 = *(u64 *)(r0 + 0)
exit
f:
*(u64 *)(r1 + 0) = r2
r3 = 0
*(u64 *)(r1 + 0) = r3
r0 = 0
exit
