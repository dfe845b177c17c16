# kernel: accept
# A linked number (`r2 = r6`) spilled and filled in 4 bytes, which it fits: the fill is a
# linked copy on every kernel (6.1.192's `save_register_state` keeps the id; 6.12's
# `reg_value_fits`), so bounding the fill bounds r6 too.
*(u32 *)(r10 - 4) = 0
r2 = r10
r2 += -4
r1 = m ll
call bpf_map_lookup_elem
if r0 == 0 goto out
r6 = *(u32 *)(r0 + 0)
r2 = r6
*(u32 *)(r10 - 16) = r2
r3 = *(u32 *)(r10 - 16)
if r3 > 10 goto out
r0 += r6
r0 = *(u8 *)(r0 + 0)
out:
r0 = 2
exit
