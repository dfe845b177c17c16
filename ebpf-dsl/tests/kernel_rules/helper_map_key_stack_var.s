# kernel: accept
# kernel log: a privileged program's map key may be on the stack at a variable offset (every byte it may cover initialised)
*(u64 *)(r10 - 8) = 0
*(u64 *)(r10 - 16) = 0
*(u64 *)(r10 - 24) = 0
call bpf_get_prandom_u32
r0 &= 7
r2 = r10
r2 += -24
r2 += r0
r1 = m ll
call bpf_map_lookup_elem
r0 = 2
exit
