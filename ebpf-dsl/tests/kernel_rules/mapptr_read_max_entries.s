# kernel: accept
# since: 6.18
# kernel log: struct bpf_map's u32 max_entries (6.18 layout, offset 76) reads as a number
r1 = m ll
r0 = *(u32 *)(r1 + 76)
r0 &= 1
exit
