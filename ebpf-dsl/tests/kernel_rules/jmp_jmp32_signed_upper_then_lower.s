# kernel: accept
# note: the kernel keeps s32 <= 8 from the first test (its own s32 bounds, which Scalar carries too); with s32 >= 0 from the second, the value is 0..=8
*(u32 *)(r10 - 4) = 0
r2 = r10
r2 += -4
r1 = m ll
call bpf_map_lookup_elem
if r0 == 0 goto out
r1 = *(u32 *)(r0 + 0)
if w1 s> 8 goto out
if w1 s< 0 goto out
r0 += r1
r0 = *(u64 *)(r0 + 0)
out:
r0 = 0
exit
