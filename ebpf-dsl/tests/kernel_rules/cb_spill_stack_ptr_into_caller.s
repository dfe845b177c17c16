# kernel: reject
# kernel log: cannot spill pointers to stack into stack frame of the caller
# A bpf_loop callback stores its context (a pointer to the caller's r10 - 8) into the
# caller's frame at r10 - 16: a stack pointer goes only into the current function's frame,
# whichever frame it points to.
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
*(u64 *)(r2 - 8) = r2
r0 = 0
exit
