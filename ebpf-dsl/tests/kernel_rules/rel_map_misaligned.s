# kernel: reject
# target: 6.18
# kernel log: misaligned value access off 0+0+1 size 2
*(u32 *)(r10 - 4) = 0
r2 = r10
r2 += -4
r1 = m ll
call bpf_map_lookup_elem
if r0 == 0 goto out
w1 = 1
store_release((u16 *)(r0 + 1), w1)
out:
r0 = 0
exit
