# kernel: reject
# type: sched_cls
# kernel log: invalid bpf_context access off=180 size=4
r0 = *(u32 *)(r1 + 180)
r0 = 0
exit
