# kernel: accept
# since: 6.12
# The inner map a lookup in a map of maps gives is, once null-checked, a map pointer
# (`CONST_PTR_TO_MAP`): never NULL, so `if r0 != 0` always jumps.
*(u32 *)(r10 - 4) = 0
r2 = r10
r2 += -4
r1 = mm ll
call bpf_map_lookup_elem
if r0 == 0 goto out
if r0 != 0 goto out
r10 = 42
out:
r0 = 2
exit
