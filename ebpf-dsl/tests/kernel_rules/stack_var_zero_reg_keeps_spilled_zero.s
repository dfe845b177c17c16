# kernel: accept
# since: 6.12
# stack_var_zero_keeps_spilled_zero.s with the zero from a register (`register_is_null`): the
# spilled constant 0 stays, so the 1-byte fill is 0 and the map value offset is 0.
r6 = *(u32 *)(r1 + 16)
r1 = r6
r1 &= 6
*(u64 *)(r10 - 48) = 0
r3 = 0
r2 = r10
r2 += -48
r2 += r1
*(u16 *)(r2 + 0) = r3
r6 = *(u8 *)(r10 - 47)
*(u32 *)(r10 - 4) = 0
r2 = r10
r2 += -4
r1 = m ll
call bpf_map_lookup_elem
if r0 == 0 goto out
r6 <<= 4
r0 += r6
*(u8 *)(r0 + 15) = 1
out:
r0 = 2
exit
