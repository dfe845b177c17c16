# kernel: reject
# kernel log: 15: (0f) r4 += r3 ... math between pkt pointer and 536870972 is not allowed
# w3 is in 0xfffffff..=0x20000010 with known bits (0; 0x20000010) (a mask, then `w3 <
# 0xfffffff` out): its values are 0x20000000 and 0x20000010. `w3 |= 60` gives the range
# 0xfffffff..=0x2000003c with known bits (0x3c; 0x20000000), which hold one value in common;
# 6.18's `reg_bounds_sync` after the operation makes the constant 0x2000003c of it
# (`__update_reg64_bounds` with `tnum_step`), 2^29 or more, so adding it to a packet pointer
# is refused. A verifier that keeps the range (minimum 0xfffffff) accepts it (found by the
# offset fuzzer, seed 21002, program #6087).
r8 = r1
*(u32 *)(r10 - 4) = 0
r2 = r10
r2 += -4
r1 = m ll
call bpf_map_lookup_elem
if r0 == 0 goto out
r9 = r0
r3 = *(u32 *)(r9 + 8)
w3 &= 536870928
if w3 < 268435455 goto out
w3 |= 60
r4 = *(u32 *)(r8 + 0)
r5 = *(u32 *)(r8 + 4)
r4 += r3
out:
r0 = 2
exit
