# kernel: accept
# since: 6.18
# kernel log: 6: (bf) r6 = (s8)r6 ; R6=scalar(smin=smin32=-5,smax=smax32=4)
# The low half is -5..=4 (a 32-bit subtraction), the 64-bit range 0..=0xffffffff: the
# 64-bit rule gives -128..=127, 6.18's 32-bit one -5..=4, so r6 + 5 is 0..=9.
r6 = *(u32 *)(r1 + 16)
if r6 > 9 goto out
w6 += -5
r6 = (s8)r6
r6 += 5
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
