# kernel: reject
# kernel log: Unsupported reg type fp for bpf_dynptr_from_mem data
r1 = r10
r1 += -48
r2 = 16
r3 = 0
r4 = r10
r4 += -16
call bpf_dynptr_from_mem
r0 = 2
exit
