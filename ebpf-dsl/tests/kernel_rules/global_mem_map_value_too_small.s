# kernel: reject
# kernel log: invalid access to map value, value_size=16 off=12 size=8.
.global_func f(mem 8)
*(u32 *)(r10 - 4) = 0
r2 = r10
r2 += -4
r1 = m ll
call bpf_map_lookup_elem
if r0 == 0 goto out
r1 = r0
r1 += 12
call f
out:
r0 = 0
exit
f:
r0 = 0
exit
