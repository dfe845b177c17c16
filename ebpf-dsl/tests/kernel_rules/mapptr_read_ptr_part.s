# kernel: reject
# kernel log: cannot access ptr member ops with moff 40 in struct bpf_map with off 44 size 4
r1 = m ll
r0 = *(u32 *)(r1 + 44)
r0 = 0
exit
