# kernel: reject
# kernel log: arg#2 arg#3 memory, len pair leads to invalid memory access
r6 = r1
r1 = r6
r2 = 0
r3 = r10
r3 += -16
call bpf_dynptr_from_xdp
r1 = r10
r1 += -16
r2 = 0
r3 = r10
r3 += -16
r4 = 14
call bpf_dynptr_slice
r0 = 2
exit
