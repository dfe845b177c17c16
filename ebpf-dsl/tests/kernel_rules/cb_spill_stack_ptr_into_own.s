# kernel: accept
# The same pointer to the caller's stack spilled into the callback's own frame, and a number
# stored into the caller's: both allowed.
*(u64 *)(r10 - 8) = 0
*(u64 *)(r10 - 16) = 0
r1 = 2
r2 = cb ll
r3 = r10
r3 += -8
r4 = 0
call bpf_loop
r0 = 2
exit
cb:
*(u64 *)(r10 - 8) = r2
r3 = 7
*(u64 *)(r2 - 8) = r3
r0 = 0
exit
