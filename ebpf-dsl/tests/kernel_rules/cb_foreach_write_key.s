# kernel: reject
# kernel log: write to change key R2 not allowed
r1 = h ll
r2 = cb ll
r3 = 0
r4 = 0
call bpf_for_each_map_elem
r0 = 2
exit
cb:
r0 = 0
*(u64 *)(r2 + 0) = r0
exit
