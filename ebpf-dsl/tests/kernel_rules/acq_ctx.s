# kernel: reject
# target: 6.18
# type: sched_cls
# kernel log: BPF_ATOMIC loads from R1 ctx is not allowed
w0 = load_acquire((u32 *)(r1 + 0))
r0 = 0
exit
