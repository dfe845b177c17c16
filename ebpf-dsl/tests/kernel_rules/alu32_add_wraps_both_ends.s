# kernel: accept
# since: 6.18
# kernel log: 6.17 keeps the 32-bit unsigned range of a sum whose two ends both wrap past 2^32 (scalar32_min_max_add): w0 in 0x80000001..=0x800000c8 plus 0x80000000 is 1..=200; before, the range was unknown (the s32 one overflows too, the known bits leave 0..=255)
call bpf_get_prandom_u32
r0 &= 255
if r0 > 199 goto out
r0 += 1
w0 += 0x80000000
w0 += 0x80000000
if w0 > 200 goto bad
out:
r0 = 2
exit
bad:
r0 = *(u64 *)(r0 + 0)
r0 = 2
exit
