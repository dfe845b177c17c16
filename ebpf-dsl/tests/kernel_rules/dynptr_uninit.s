# kernel: reject
# kernel log: Expected an initialized dynptr as arg #0
r1 = r10
r1 += -16
r2 = 0
r3 = 0
r4 = 14
call bpf_dynptr_slice
r0 = 2
exit
