# kernel: reject
# kernel log: R2 is not a scalar
r6 = r1
r1 = r6
r2 = r10
r3 = r10
r3 += -16
call bpf_dynptr_from_xdp
r0 = 2
exit
