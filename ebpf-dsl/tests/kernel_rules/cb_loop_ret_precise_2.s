# kernel: reject
# kernel log: At callback return the register R0 has smin=5 smax=5 should have been in [0, 1]
# cb_loop_ret_precise.s with the branches the other way round.
r6 = *(u32 *)(r1 + 12)
r7 = 5
if r6 == 7 goto a
goto b
a:
r7 = 0
b:
*(u64 *)(r10 - 8) = r7
*(u64 *)(r10 - 16) = 0
r1 = 1
r2 = cb ll
r3 = r10
r3 += -16
r4 = 0
call bpf_loop
r0 = 2
exit
cb:
r0 = *(u64 *)(r2 + 8)
r1 = 9
*(u64 *)(r2 + 0) = r1
exit
