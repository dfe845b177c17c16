# kernel: reject
# kernel log: 15: (0f) r4 += r7 ... math between fp pointer and 1073741824 is not allowed
# r3 (a u32 shifted left by 30) has the low-half known bits (0; 0xc0000000); `w3 s< 0x1ffffff0`
# out leaves its low half in 0x1ffffff0..=0x40000000, known bits (0; 0x40000000) after the
# sync. A 4-byte spill and fill of it is `coerce_reg_to_size(4)`, whose `reg_bounds_sync`
# (6.18: `__update_reg64_bounds` with `tnum_step`) makes the constant 0x40000000 of the
# zero-extended 0x1ffffff0..=0x40000000, so adding it to the frame pointer is refused. A
# verifier that keeps the range (minimum below 2^29) accepts it (found by the offset fuzzer,
# seed 1228001, program #137328; `fill32_single_value_join` is closer to that program).
r8 = r1
*(u32 *)(r10 - 4) = 0
r2 = r10
r2 += -4
r1 = m ll
call bpf_map_lookup_elem
if r0 == 0 goto out
r9 = r0
r3 = *(u32 *)(r9 + 0)
r3 <<= 30
if w3 s< 536870896 goto out
*(u32 *)(r10 - 24) = r3
r7 = *(u32 *)(r10 - 24)
r4 = r10
r4 += r7
out:
r0 = 2
exit
