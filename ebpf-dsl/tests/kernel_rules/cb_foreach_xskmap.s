# kernel: reject
# kernel log: cannot pass map_type 17 into func bpf_for_each_map_elem#164
r1 = x ll
r2 = cb ll
r3 = 0
r4 = 0
call bpf_for_each_map_elem
r0 = 2
exit
cb:
r0 = 0
exit
