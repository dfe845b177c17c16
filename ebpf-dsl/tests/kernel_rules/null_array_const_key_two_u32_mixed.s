# kernel: reject
# An 8-byte load over a narrow spill of zero and the known zeros past it is unknown to the
# kernel (it counts spilled bytes and STACK_ZERO bytes apart), so it cannot be an offset.
*(u32 *)(r10 - 16) = 0
r1 = 0
*(u32 *)(r10 - 4) = w1
*(u32 *)(r10 - 8) = w1
r2 = r10
r2 += -16
r1 = m ll
call bpf_map_lookup_elem
if r0 == 0 goto out
r3 = *(u64 *)(r10 - 8)
r0 += r3
r0 = *(u8 *)(r0 + 0)
out:
r0 = 2
exit
