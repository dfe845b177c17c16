# kernel: accept
# since: 6.15
*(u32 *)(r10 - 4) = 0
r2 = r10
r2 += -4
r1 = m ll
call bpf_map_lookup_elem
if r0 == 0 goto out
w1 = load_acquire((u32 *)(r0 + 4))
w2 = 1
store_release((u16 *)(r0 + 2), w2)
r1 = load_acquire((u64 *)(r0 + 8))
out:
r0 = 0
exit
