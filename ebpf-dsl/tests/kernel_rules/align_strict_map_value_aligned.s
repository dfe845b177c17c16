# kernel: accept
# flags: 1
*(u32 *)(r10 - 4) = 0
r2 = r10
r2 += -4
r1 = m ll
call bpf_map_lookup_elem
if r0 == 0 goto out
r1 = *(u64 *)(r0 + 8)
*(u32 *)(r0 + 4) = 1
*(u16 *)(r0 + 2) = 1
r1 = *(u8 *)(r0 + 1)
out:
r0 = 0
exit
