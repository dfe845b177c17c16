# kernel: reject
# kernel log: access beyond the end of member excl (mend:36) in struct bpf_map with off 34 size 4
r1 = m ll
r0 = *(u32 *)(r1 + 34)
r0 = 0
exit
