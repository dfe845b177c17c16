# kernel: accept
# since: 6.12
# kernel log: 8: (bc) w6 = (s8)w6 ; R6=scalar(smin=smin32=0,smax=umax=smax32=umax32=15,var_off=(0x0; 0xf))
# `wX = (s8)wY` follows the 32-bit bounds (coerce_subreg_to_size_sx): 256..=271 in one
# 256-block gives 0..=15 whatever the upper half held.
r6 = *(u32 *)(r1 + 16)
r7 = *(u32 *)(r1 + 12)
if r6 > 9 goto out
w6 |= 0x100
r7 <<= 32
r6 |= r7
w6 = (s8)w6
*(u32 *)(r10 - 4) = 0
r2 = r10
r2 += -4
r1 = m ll
call bpf_map_lookup_elem
if r0 == 0 goto out
r0 += r6
r0 = *(u8 *)(r0 + 0)
out:
r0 = 2
exit
