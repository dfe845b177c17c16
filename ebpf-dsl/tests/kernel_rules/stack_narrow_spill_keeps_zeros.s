# kernel: accept
# since: 6.12
# `*(u32 *)(r10 - 4) = 0` makes those bytes zero; the narrow spill of r6 (0..=7) at r10 - 8
# leaves them zero (`save_register_state`), so the 4-byte load at r10 - 4 is 0. 6.1.192's
# `save_register_state` scrubs the rest of the slot to unknown bytes.
call bpf_get_prandom_u32
r6 = r0
r6 &= 7
*(u32 *)(r10 - 4) = 0
*(u32 *)(r10 - 8) = r6
r7 = *(u32 *)(r10 - 4)
if r7 != 0 goto bad
goto out
bad:
r0 = *(u64 *)(r7 + 0)
out:
r0 = 2
exit
