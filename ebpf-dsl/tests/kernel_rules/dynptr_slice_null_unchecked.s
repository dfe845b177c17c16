# kernel: reject
# kernel log: invalid mem access 'rdonly_mem_or_null'
r6 = r1
r1 = r6
r2 = 0
r3 = r10
r3 += -16
call bpf_dynptr_from_xdp
r1 = r10
r1 += -16
r2 = 0
r3 = 0
r4 = 14
call bpf_dynptr_slice
r1 = *(u16 *)(r0 + 12)
r0 = 2
exit
