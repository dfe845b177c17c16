# kernel: accept
# since: 6.18
# As alu32_or_single_value_pkt.s: `w3 |= 60` of w3 in 0xfffffff..=0x20000010 with known bits
# (0; 0x20000010) is the constant 0x2000003c for 6.18 (`tnum_step` in the `reg_bounds_sync`
# after the operation), so `r3 != 0x2000003c` never holds and `bad` is dead; older kernels
# keep the range and walk into `bad`.
r9 = r1
r3 = *(u32 *)(r9 + 12)
w3 &= 536870928
if w3 < 268435455 goto out
w3 |= 60
if r3 != 0x2000003c goto bad
r0 = 2
exit
bad:
r0 = 7
r0 = *(u64 *)(r0 + 0)
exit
out:
r0 = 2
exit
