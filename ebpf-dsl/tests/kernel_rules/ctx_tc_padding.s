# kernel: reject
# type: sched_cls
# kernel log: invalid bpf_context access off=181 size=1
r0 = *(u8 *)(r1 + 181)
r0 = 0
exit
