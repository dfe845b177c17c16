# kernel: accept
r6 = r1
r1 = r6
r2 = r10
r2 += -16
call f
r1 = r10
r1 += -16
r2 = 0
r3 = 0
r4 = 14
call bpf_dynptr_slice
r0 = 2
exit
f:
r3 = r2
r2 = 0
call bpf_dynptr_from_xdp
r0 = 0
exit
