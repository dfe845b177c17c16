# kernel: accept
# target: 6.18
# The mirror of jmp_ptr_big_var_ne_zero.s with the offset masked to at most 0x1fffffff (below
# 2^29): 6.18 takes the pointer as non-NULL, the `== 0` branch with its bad store is dead.
r7 = *(u32 *)(r1 + 16)
r7 &= 0x1fffffff
*(u32 *)(r10 - 4) = 0
r2 = r10
r2 += -4
r1 = m ll
call bpf_map_lookup_elem
if r0 == 0 goto out
r4 = r0
r4 += r7
if r4 != 0 goto out
r4 += 63
*(u16 *)(r4 + 0) = 0
out:
r0 = 0
exit
