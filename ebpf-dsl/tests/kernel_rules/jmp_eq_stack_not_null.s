# kernel: accept
# since: 6.6
# kernel log: equal to a stack pointer, the lookup is not NULL (6.18.44 and 6.6.47 mark it so; 6.12.114 on, "bpf: check_cond_jmp_op(): properly infer if register is null", want the other operand `reg_not_null`, which a stack pointer is not: R0 stays map_value_or_null and the load is refused, reasoned from 6.12.118's source; the unit test equal_to_a_stack_pointer_proves_not_null_until_6_12_114)
r1 = 0
*(u32 *)(r10 - 4) = r1
r2 = r10
r2 += -4
r1 = m ll
call bpf_map_lookup_elem
r2 = r10
if r0 != r2 goto out
r1 = *(u64 *)(r0 + 0)
out:
r0 = 2
exit
