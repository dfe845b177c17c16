# kernel: accept
# since: 6.12
# A 64-bit `==` the 64-bit ranges leave open (0..=u32::MAX) is decided by the 32-bit
# bounds (s32 -4095..=0 never holds 13): the equal branch is dead
# (`is_scalar_branch_taken`, "utilize 32-bit subrange knowledge").
call bpf_get_prandom_u32
r0 &= 0xfff
w1 = 0
w1 -= w0
r0 = r1
if r0 != 13 goto out
r0 = *(u64 *)(r0 + 0)
out:
r0 = 0
exit
