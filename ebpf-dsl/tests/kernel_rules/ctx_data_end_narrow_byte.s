# kernel: reject
# type: sched_cls
# kernel log: invalid bpf_context access off=83 size=1
# (every byte of __sk_buff.data_end refuses a narrow load, as its start does)
r0 = *(u8 *)(r1 + 83)
r0 = 0
exit
