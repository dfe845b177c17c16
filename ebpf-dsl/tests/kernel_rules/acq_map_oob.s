# kernel: reject
# target: 6.18
# kernel log: R0 min value is outside of the allowed memory range
*(u32 *)(r10 - 4) = 0
r2 = r10
r2 += -4
r1 = m ll
call bpf_map_lookup_elem
if r0 == 0 goto out
r1 = load_acquire((u64 *)(r0 + 16))
out:
r0 = 0
exit
