# kernel: reject
# flags: 1
# kernel log: misaligned value access off (0x0; 0x4)+0+0 size 8
*(u32 *)(r10 - 4) = 0
r2 = r10
r2 += -4
r1 = m ll
call bpf_map_lookup_elem
if r0 == 0 goto out
r1 = *(u32 *)(r0 + 0)
r1 &= 4
r0 += r1
r1 = *(u64 *)(r0 + 0)
out:
r0 = 0
exit
