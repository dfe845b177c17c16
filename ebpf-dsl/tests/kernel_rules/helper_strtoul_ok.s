# kernel: accept
# kernel log: the result pointer is 8 bytes on the stack, 8-byte aligned
*(u32 *)(r10 - 4) = 3355185
r1 = r10
r1 += -4
r2 = 4
r3 = 0
r4 = r10
r4 += -16
call bpf_strtoul
r0 = *(u64 *)(r10 - 16)
r0 = 2
exit
