# kernel: accept
# target: 6.18
# w6 = w6; w6 -= 0x20000000: a 32-bit delta of -2^29 (BPF_ADD_CONST32). Before 6.18 a scalar's
# delta of 2^29 or more was refused as a pointer offset (its `off`); 6.18.44 judges the offset
# by its bounds alone (0x10000000..=0x10000007 here).
r6 = *(u32 *)(r1 + 16)
*(u32 *)(r10 - 4) = 0
r2 = r10
r2 += -4
r1 = m ll
call bpf_map_lookup_elem
if r0 == 0 goto out
r6 &= 7
r6 |= 0x30000000
w6 = w6
w6 -= 0x20000000
r0 += r6
out:
r0 = 2
exit
