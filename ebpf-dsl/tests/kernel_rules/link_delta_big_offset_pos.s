# kernel: accept
# since: 6.18
# r2 = r6; r2 += 0x20000000 on a negative r6: a delta of 2^29 (refused before 6.18, whose
# kernels check the delta as the scalar's offset), with a minimum of -0x10000000.
r6 = *(u32 *)(r1 + 16)
*(u32 *)(r10 - 4) = 0
r2 = r10
r2 += -4
r1 = m ll
call bpf_map_lookup_elem
if r0 == 0 goto out
r6 &= 7
r6 += -0x30000000
r2 = r6
r2 += 0x20000000
r0 += r2
out:
r0 = 2
exit
