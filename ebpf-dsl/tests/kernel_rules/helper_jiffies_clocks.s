# kernel: accept
# kernel log: bpf_jiffies64, bpf_ktime_get_coarse_ns and bpf_ktime_get_tai_ns take no arguments
call bpf_jiffies64
r6 = r0
call bpf_ktime_get_coarse_ns
r6 += r0
call bpf_ktime_get_tai_ns
r6 += r0
r0 = 2
exit
