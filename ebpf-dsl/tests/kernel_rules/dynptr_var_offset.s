# kernel: reject
# kernel log: Expected an initialized dynptr as arg #0 (a variable offset)
r6 = r1
r1 = r6
r2 = 0
r3 = r10
r3 += -16
call bpf_dynptr_from_xdp
r7 = *(u32 *)(r6 + 12)
r7 &= 16
r1 = r10
r1 += -32
r1 += r7
r2 = 0
r3 = 0
r4 = 4
call bpf_dynptr_slice
r0 = 2
exit
