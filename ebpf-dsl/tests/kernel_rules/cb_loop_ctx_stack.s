# kernel: accept
# The callback's r2 is the caller's r3: a pointer into the caller's stack, written there.
*(u64 *)(r10 - 8) = 0
r1 = 10
r2 = cb ll
r3 = r10
r3 += -8
r4 = 0
call bpf_loop
r0 = *(u64 *)(r10 - 8)
r0 &= 1
r0 += 1
exit
cb:
r3 = *(u64 *)(r2 + 0)
r3 += r1
*(u64 *)(r2 + 0) = r3
r0 = 0
exit
