# kernel: accept
# target: 6.18
# r2 = r6; r2 += -0x20000000: a 64-bit delta of -2^29; 6.18.44 judges the offset by its bounds
# alone (see link_delta_big_offset_w_sub).
r6 = *(u32 *)(r1 + 16)
*(u32 *)(r10 - 4) = 0
r2 = r10
r2 += -4
r1 = m ll
call bpf_map_lookup_elem
if r0 == 0 goto out
r6 &= 7
r6 |= 0x30000000
r2 = r6
r2 += -0x20000000
r0 += r2
out:
r0 = 2
exit
