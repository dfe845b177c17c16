# kernel: reject
# kernel log: R3 !read_ok
# As jmp_tnum_single_umax with nothing taken out of the range: r0 may still be 224 or 240,
# so the read of the uninitialised r3 is reached.
call bpf_get_prandom_u32
r0 |= 224
r0 &= 240
if r0 == 200 goto out
if r0 == 240 goto out
r0 = *(u8 *)(r3 + 0)
out:
r0 = 2
exit
