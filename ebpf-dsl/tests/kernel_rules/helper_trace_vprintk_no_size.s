# kernel: reject
r1 = 0
*(u64 *)(r10 - 8) = r1
r1 = r10
r1 += -8
r2 = 8
r3 = 0
call bpf_trace_vprintk
r0 = 2
exit
