# kernel: accept
# A sign-extending load of a scalar field of xdp_md is allowed (xdp_is_valid_access refuses
# is_ldsx for data / data_meta / data_end only); the value is sign-extended from 32 bits
# (coerce_reg_to_size_sx): s>> 31 is -1 or 0, so + 1 is 0 or 1 and the branch to bad is dead.
r2 = *(s32 *)(r1 + 16)
r2 s>>= 31
r2 += 1
if r2 > 1 goto bad
r0 = 2
exit
bad:
r0 = *(u64 *)(r2 + 0)
exit
