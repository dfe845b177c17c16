# kernel: reject
# target: 6.18
# type: sched_cls
# kernel log: BPF_ATOMIC stores into R1 ctx is not allowed (a plain store to mark is accepted)
w2 = 0
store_release((u32 *)(r1 + 8), w2)
r0 = 0
exit
