# kernel: reject
# kernel log: invalid access to map value, value_size=16 off=16 size=8
r1 = m ll
r2 = cb ll
r3 = 0
r4 = 0
call bpf_for_each_map_elem
r0 = 2
exit
cb:
r0 = *(u64 *)(r3 + 16)
r0 = 0
exit
