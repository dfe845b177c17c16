# kernel: accept
# since: 6.14
# Two 4-byte stores of a zero register into one slot (clang's two zeroed `__u32` keys): the
# narrow spill at r10 - 8 leaves the known zeros at r10 - 4 .. r10 (STACK_ZERO per byte).
r1 = 0
*(u32 *)(r10 - 4) = w1
*(u32 *)(r10 - 8) = w1
r2 = r10
r2 += -4
r1 = m ll
call bpf_map_lookup_elem
r0 = *(u64 *)(r0 + 0)
r0 = 2
exit
