# kernel: reject
# kernel log: R0 invalid mem access 'scalar'
# (w0 31..=255 << 24: 255 > 1 << 7, so __scalar32_min_max_lsh makes the 32-bit range 0..=U32_MAX)
call bpf_get_prandom_u32
r0 &= 255
if r0 < 31 goto out
w0 <<= 24
if r0 > 32 goto out
r0 = *(u64 *)(r0 + 0)
out:
r0 = 2
exit
