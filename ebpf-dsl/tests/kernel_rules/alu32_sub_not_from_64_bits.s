# kernel: reject
# target: 6.18
# kernel log: R0 invalid mem access 'scalar' (w2 is in 32..=0xe0000001 with known bits 0xe0000001; `w2 -= 0x1fffffff` is computed on the 32-bit bounds (`scalar32_min_max_sub`: 32 - 0x1fffffff wraps, 0xe0000001 - 0x1fffffff does not, so the range is forgotten), the low half of `tnum_sub` (0xe0000003 unknown) and `zext_32_to_64`: w2 is in 0..=0xe0000003, so `w2 > 0xd0000000` is not decided. The 64-bit difference of the zero-extended values, whose every value is in fact at most 0xc0000002, decided it false: a false accept)
call bpf_get_prandom_u32
r2 = r0
w2 &= -536870911
if w2 < 32 goto out
w2 -= 536870911
if w2 > 0xd0000000 goto bad
out:
r0 = 2
exit
bad:
r0 = 7
r0 = *(u64 *)(r0 + 0)
exit
