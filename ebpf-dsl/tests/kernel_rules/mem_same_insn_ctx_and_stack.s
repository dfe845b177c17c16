# kernel: reject
# type: sched_cls
# kernel log: same insn cannot be used with different pointers
# One store reached with the context (skb->mark, writable in tc) on one path and a stack
# pointer on the other: the kernel keeps one pointer type per memory instruction.
r3 = 42
r6 = r10
r6 += -8
r2 = r10
r2 += -16
*(u64 *)(r6 + 0) = r2
if r1 != 0 goto fill
*(u64 *)(r6 + 0) = r1
fill:
r1 = *(u64 *)(r6 + 0)
*(u32 *)(r1 + 8) = r3
r0 = 0
exit
