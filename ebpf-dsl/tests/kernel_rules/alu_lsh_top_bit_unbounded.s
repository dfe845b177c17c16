# kernel: reject
# kernel log: R0 invalid mem access 'scalar'
# (31..=255 << 56: 255 > 1 << 7 may shift the top bit out, so __scalar64_min_max_lsh keeps no
# range, only the known bits; r0 > 32 is then not decided and the dereference is reached)
call bpf_get_prandom_u32
r0 &= 255
if r0 < 31 goto out
r0 <<= 56
if r0 > 32 goto out
r0 = *(u64 *)(r0 + 0)
out:
r0 = 2
exit
