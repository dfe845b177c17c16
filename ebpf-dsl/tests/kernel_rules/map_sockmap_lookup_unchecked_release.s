# kernel: reject
# kernel log: the lookup's result may be NULL: bpf_sk_release needs the null check first
*(u32 *)(r10 - 4) = 0
r2 = r10
r2 += -4
r1 = sm ll
call bpf_map_lookup_elem
r1 = r0
call bpf_sk_release
r0 = 2
exit
