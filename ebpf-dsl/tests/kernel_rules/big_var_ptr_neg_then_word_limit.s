# kernel: reject
# kernel log: map_value pointer offset -536870912 is not allowed
# target: 6.18
# As big_var_ptr_neg_then_word, then minus 0..=1: the kernel's minimum is exactly -2^29.
r7 = *(u32 *)(r1 + 16)
r8 = *(u32 *)(r1 + 12)
*(u32 *)(r10 - 4) = 0
r2 = r10
r2 += -4
r1 = m ll
call bpf_map_lookup_elem
if r0 == 0 goto out
r9 = r0
r8 += -0x1fffffff
r9 += r8
r9 += r7
r7 = *(u32 *)(r0 + 0)
r7 &= 1
r9 -= r7
out:
r0 = 2
exit
