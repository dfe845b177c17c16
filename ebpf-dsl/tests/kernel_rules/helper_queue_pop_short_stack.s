# kernel: reject
# kernel log: invalid write to stack (8-byte value at r10-4)
r2 = r10
r2 += -4
r1 = q ll
call bpf_map_pop_elem
r0 = 2
exit
