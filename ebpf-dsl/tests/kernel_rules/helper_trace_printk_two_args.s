# kernel: accept
# bpf_trace_printk's prototype checks arg1 (memory) and arg2 (its size) only: r3-r5 are
# ARG_DONTCARE, so `bpf_printk` with fewer than three values may leave them unset.
r1 = 0
*(u64 *)(r10 - 8) = r1
r1 = r10
r1 += -8
r2 = 8
call bpf_trace_printk
r0 = 2
exit
