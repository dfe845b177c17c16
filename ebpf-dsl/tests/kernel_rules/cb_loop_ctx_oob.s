# kernel: reject
# kernel log: invalid write to stack R2 off=0 size=8 (past the caller's frame)
*(u64 *)(r10 - 8) = 0
r1 = 10
r2 = cb ll
r3 = r10
r3 += -8
r4 = 0
call bpf_loop
r0 = 2
exit
cb:
r3 = 0
*(u64 *)(r2 + 8) = r3
r0 = 0
exit
