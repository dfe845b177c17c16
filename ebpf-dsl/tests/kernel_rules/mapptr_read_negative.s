# kernel: reject
# kernel log: R1 is bpf_array invalid negative access: off=-8
r1 = m ll
r0 = *(u64 *)(r1 - 8)
r0 = 0
exit
