# kernel: reject
# kernel log: invalid access to map value, value_size=16 off=16 size=1 (round 16 of 100)
*(u64 *)(r10 - 8) = 0
r1 = 100
r2 = bump ll
r3 = r10
r3 += -8
r4 = 0
call bpf_loop
r1 = *(u64 *)(r10 - 8)
if r1 > 16 goto out
r2 = m ll
*(u32 *)(r10 - 12) = 0
r6 = r1
r2 = r10
r2 += -12
r1 = m ll
call bpf_map_lookup_elem
if r0 == 0 goto out
r0 += r6
r0 = *(u8 *)(r0 + 0)
out:
r0 = 2
exit
bump:
r1 = *(u64 *)(r2 + 0)
r1 += 1
*(u64 *)(r2 + 0) = r1
r0 = 0
exit
