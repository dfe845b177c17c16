# kernel: accept
# target: 6.18
# As big_var_ptr_word_then_neg_limit with r8 & 0x1ffffffe: the kernel's minimum is -(2^29 - 1).
r7 = *(u32 *)(r1 + 16)
r8 = *(u32 *)(r1 + 12)
*(u32 *)(r10 - 4) = 0
r2 = r10
r2 += -4
r1 = m ll
call bpf_map_lookup_elem
if r0 == 0 goto out
r9 = r0
r8 &= 0x1ffffffe
r4 = 0
r4 -= r8
r9 += r7
r9 += r4
r8 = *(u32 *)(r0 + 0)
r8 &= 1
r9 -= r8
out:
r0 = 2
exit
