# kernel: accept
# since: 6.18
# kernel log: 6.17 keeps the 32-bit unsigned range of a difference whose two ends are both below 0 (scalar32_min_max_sub): 1..=200 minus 0x80000000 is 0x80000001..=0x800000c8; before, the range was unknown (the s32 one overflows too, the known bits leave 0x80000000..=0x800000ff)
call bpf_get_prandom_u32
r0 &= 255
if r0 > 199 goto out
r0 += 1
w0 -= 0x80000000
if w0 > 0x800000c8 goto bad
out:
r0 = 2
exit
bad:
r0 = *(u64 *)(r0 + 0)
r0 = 2
exit
