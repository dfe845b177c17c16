# kernel: reject
# type: sched_cls
# kernel log: invalid bpf_context access off=152 size=4
r0 = *(u32 *)(r1 + 152)
r0 = 0
exit
