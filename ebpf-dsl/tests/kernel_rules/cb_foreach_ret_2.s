# kernel: reject
# kernel log: At callback return the register R0 has smin=2 smax=2 should have been in [0, 1]
r1 = m ll
r2 = cb ll
r3 = 0
r4 = 0
call bpf_for_each_map_elem
r0 = 2
exit
cb:
r0 = 2
exit
