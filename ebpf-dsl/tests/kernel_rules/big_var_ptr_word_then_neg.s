# kernel: accept
# target: 6.18
# A map value pointer plus a u32 (exact), then plus 0 - (r8 & 0xff), -255..=0: the kernel's minimum
# of the offset is exactly 0 + -255, within the limit. The second walk judges a negative exact
# scalar on an offset whose minimum it knows to be the kernel's (transfer/ptr_exact.rs).
r7 = *(u32 *)(r1 + 16)
r8 = *(u32 *)(r1 + 12)
*(u32 *)(r10 - 4) = 0
r2 = r10
r2 += -4
r1 = m ll
call bpf_map_lookup_elem
if r0 == 0 goto out
r9 = r0
r8 &= 0xff
r4 = 0
r4 -= r8
r9 += r7
r9 += r4
out:
r0 = 2
exit
