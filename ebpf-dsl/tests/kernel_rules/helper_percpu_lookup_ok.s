# kernel: accept
*(u32 *)(r10 - 4) = 0
r2 = r10
r2 += -4
r1 = pc ll
r3 = 0
call bpf_map_lookup_percpu_elem
if r0 == 0 goto out
r0 = *(u64 *)(r0 + 0)
out:
r0 = 2
exit
