# kernel: accept
# since: 6.14
# `r0 *= 1` keeps the signed 32-bit range -128..=127 of a sign-extended byte (the 32-bit
# products), and a 64-bit `==` is decided by the 32-bit ranges when the 64-bit ones do not
# decide it (`is_scalar_branch_taken`): 4095 is not in -128..=127.
call bpf_get_prandom_u32
w0 = (s8)w0
r0 *= 1
if r0 == 4095 goto bad
r0 = 0
exit
bad:
r0 = *(u64 *)(r0 + 0)
exit
