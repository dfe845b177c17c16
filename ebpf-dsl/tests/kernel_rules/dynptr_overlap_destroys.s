# kernel: reject
# kernel log: Expected an initialized dynptr as arg #0 (a new dynptr over half of the old one destroys it)
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
r1 += -16
r2 = 0
r3 = 0
r4 = 14
call bpf_dynptr_slice
r0 = 2
exit
