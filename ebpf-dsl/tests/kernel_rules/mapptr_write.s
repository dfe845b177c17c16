# kernel: reject
# kernel log: only read from bpf_array is supported
r1 = m ll
r2 = 1
*(u32 *)(r1 + 76) = r2
r0 = 0
exit
