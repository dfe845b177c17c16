# kernel: reject
# flags: 1
# kernel log: misaligned value access off 0+0+6 size 8
*(u32 *)(r10 - 4) = 0
r2 = r10
r2 += -4
r1 = m ll
call bpf_map_lookup_elem
if r0 == 0 goto out
*(u64 *)(r0 + 6) = 0
out:
r0 = 0
exit
