# kernel: reject
# kernel log: invalid bpf_context access off=0 size=4
# xdp_md.data may not be read with a sign-extending load (xdp_is_valid_access: is_ldsx).
r2 = *(s32 *)(r1 + 0)
r0 = 2
exit
