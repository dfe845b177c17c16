# kernel: reject
# kernel log: R4 must be a known constant
r6 = r1
r1 = r6
r2 = 0
r3 = r10
r3 += -16
call bpf_dynptr_from_xdp
r4 = *(u32 *)(r6 + 12)
r4 &= 15
r1 = r10
r1 += -16
r2 = 0
r3 = 0
call bpf_dynptr_slice
r0 = 2
exit
