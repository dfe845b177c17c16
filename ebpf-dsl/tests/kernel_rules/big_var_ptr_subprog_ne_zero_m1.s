# kernel: accept
# target: 6.18
# The mirror of big_var_ptr_subprog_ne_zero.s with the offset masked to at most 0x1fffffff
# (below 2^29): the callee takes the pointer as non-NULL, its bad load is dead.
r7 = *(u32 *)(r1 + 16)
r7 &= 0x1fffffff
*(u32 *)(r10 - 4) = 0
r2 = r10
r2 += -4
r1 = m ll
call bpf_map_lookup_elem
if r0 == 0 goto out
r1 = r0
r1 += r7
call f
out:
r0 = 0
exit
f:
r0 = 0
if r1 != 0 goto f_out
r0 = *(u8 *)(r0 + 0)
f_out:
exit
