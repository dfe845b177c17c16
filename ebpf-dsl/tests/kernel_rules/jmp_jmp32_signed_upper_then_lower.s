# kernel: accept
# ours: reject
# note: the kernel keeps s32 <= 8 from the first test (its own s32 bounds); we drop 32-bit bounds after each JMP32 refinement, and [0, U32_MAX] with s32 <= 8 has no 64-bit interval, so only s32 >= 0 survives (0..=2^31-1)
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
