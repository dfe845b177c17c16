# kernel: reject
# kernel log: cannot pass in dynptr at an offset=-20
r6 = r1
r1 = r6
r2 = 0
r3 = r10
r3 += -20
call bpf_dynptr_from_xdp
r0 = 2
exit
