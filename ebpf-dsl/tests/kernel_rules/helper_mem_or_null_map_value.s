# kernel: accept
# type: sched_cls
# bpf_csum_diff's memory arguments may be NULL (ARG_PTR_TO_MEM | PTR_MAYBE_NULL): a lookup
# result not yet null-checked is taken, its 4 bytes checked against the 16-byte value of `m`.
r1 = 0
*(u32 *)(r10 - 4) = r1
r2 = r10
r2 += -4
r1 = m ll
call bpf_map_lookup_elem
r1 = r0
r2 = 4
r3 = 0
r4 = 0
r5 = 0
call bpf_csum_diff
r0 = 0
exit
