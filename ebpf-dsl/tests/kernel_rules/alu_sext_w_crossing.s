# kernel: reject
# kernel log: 4: (bc) w6 = (s8)w6 ; R6=scalar(smin=0,smax=umax=0xffffffff,smin32=-128,smax32=127,...) then "R0 unbounded memory access"
# The 32-bit form does not take 6.18's fitting rule: -5..=4 crosses its block's boundary
# as unsigned 32-bit values, so the low half becomes -128..=127, zero-extended.
r6 = *(u32 *)(r1 + 16)
if r6 > 9 goto out
w6 += -5
w6 = (s8)w6
w6 += 5
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
