# kernel: accept
# bpf_trace_vprintk (bpf_printk with more than three values): format memory + its size, data
# memory (or NULL) + its size.
r1 = 0
*(u64 *)(r10 - 8) = r1
*(u64 *)(r10 - 16) = r1
r1 = r10
r1 += -8
r2 = 8
r3 = r10
r3 += -16
r4 = 8
call bpf_trace_vprintk
r0 = 2
exit
