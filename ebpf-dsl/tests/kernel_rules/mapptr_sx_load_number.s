# kernel: accept
# target: 6.18
# kernel log: a sign-extending load of a number field of struct bpf_map gives a sign-extended number (coerce_reg_to_size_sx)
r1 = m ll
r0 = *(s8 *)(r1 + 257)
if r0 s> 127 goto bad
if r0 s< -128 goto bad
r0 = 2
exit
bad:
r0 = *(u64 *)(r0 + 0)
exit
