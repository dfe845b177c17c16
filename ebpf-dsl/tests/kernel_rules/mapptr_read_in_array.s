# kernel: accept
# since: 6.18
# kernel log: 4 bytes inside struct bpf_map's u8 sha[32] (6.18) read as a number
r1 = h ll
r0 = *(u32 *)(r1 + 1)
r0 = 0
exit
