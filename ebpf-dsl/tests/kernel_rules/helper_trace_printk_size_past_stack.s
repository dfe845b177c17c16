# kernel: reject
r1 = 0
*(u64 *)(r10 - 8) = r1
r1 = r10
r1 += -8
r2 = 16
call bpf_trace_printk
r0 = 2
exit
