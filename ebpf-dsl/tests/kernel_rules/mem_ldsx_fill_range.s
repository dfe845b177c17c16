# kernel: accept
# since: 6.12
# kernel log: r7 = *(s16 *)(r10 -16) ; R7=scalar(smin=smin32=0,smax=umax=smax32=umax32=9,...)
# A sign-extending fill from the start of a spilled scalar's slot keeps its bounds when they
# fit (6.12's narrow fill, then coerce_reg_to_size_sx).
r9 = *(u32 *)(r1 + 16)
if r9 > 9 goto out
*(u64 *)(r10 - 16) = r9
r7 = *(s16 *)(r10 - 16)
*(u32 *)(r10 - 4) = 0
r2 = r10
r2 += -4
r1 = m ll
call bpf_map_lookup_elem
if r0 == 0 goto out
r0 += r7
r0 = *(u8 *)(r0 + 0)
out:
r0 = 2
exit
