# kernel: reject
# kernel log: math between map_value pointer and 536870918 is not allowed
# The mirror of alu_big_offset_order_wide_first.s: the constant 7 is walked first and refused
# before the wide state (which alone would pass) reaches the join. The kernel's rule is not
# monotone: a narrower offset (7) is refused where a wider one (0..=7) passes.
r6 = *(u32 *)(r1 + 16)
r7 = *(u32 *)(r1 + 12)
*(u32 *)(r10 - 4) = 0
r2 = r10
r2 += -4
r1 = m ll
call bpf_map_lookup_elem
if r0 == 0 goto out
r6 &= 7
if r7 == 0 goto wide
r6 = 7
r3 = 0
r3 = 1
r3 = 2
r3 = 3
r3 = 4
r3 = 5
r3 = 6
r3 = 7
goto join
wide:
join:
r6 += 0x1fffffff
r0 += r6
out:
r0 = 2
exit
