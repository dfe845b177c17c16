# kernel: reject
# kernel log: R2 invalid zero-sized read
*(u32 *)(r10 - 4) = 3355185
r1 = r10
r1 += -4
r2 = 0
r3 = 0
r4 = r10
r4 += -16
call bpf_strtol
r0 = 2
exit
