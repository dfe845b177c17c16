# kernel: reject
# kernel log: struct bpf_map doesn't have field at offset 36
r1 = m ll
r0 = *(u32 *)(r1 + 36)
r0 = 0
exit
