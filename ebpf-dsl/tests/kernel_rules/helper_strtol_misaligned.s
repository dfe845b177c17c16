# kernel: reject
# kernel log: misaligned stack access off 0+-12+0 size 8
*(u32 *)(r10 - 4) = 3355185
r1 = r10
r1 += -4
r2 = 4
r3 = 0
r4 = r10
r4 += -12
call bpf_strtol
r0 = 2
exit
