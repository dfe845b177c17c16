# kernel: reject
# kernel log: (Expected an initialized dynptr as arg #0)
r1 = r10
r1 += -16
*(u64 *)(r10 - 16) = 0
*(u64 *)(r10 - 8) = 0
r2 = 0
r3 = 4
call bpf_dynptr_data
out:
r0 = 2
exit
