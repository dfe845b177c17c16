# kernel: accept
r6 = r1
r1 = r6
r2 = 0
r3 = r10
r3 += -16
call bpf_dynptr_from_xdp
r1 = r6
r2 = 0
r3 = r10
r3 += -24
call bpf_dynptr_from_xdp
r1 = r10
r1 += -24
r2 = 0
r3 = 0
r4 = 4
call bpf_dynptr_slice
r0 = 2
exit
