# kernel: accept
# since: 6.18
# `r0 |= 224; r0 &= 240` leaves 224 or 240 (bit 4 unknown). Past `if r0 == 224`, the range
# 225..=240 holds one value of the known bits, 240: the kernel makes r0 that constant
# (`tnum_step`), so `if r0 == 240` always jumps and the read of the uninitialised r3 is dead.
call bpf_get_prandom_u32
r0 |= 224
r0 &= 240
if r0 == 224 goto out
if r0 == 240 goto out
r0 = *(u8 *)(r3 + 0)
out:
r0 = 2
exit
