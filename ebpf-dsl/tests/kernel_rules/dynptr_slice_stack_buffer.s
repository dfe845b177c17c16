# kernel: accept
r6 = r1
r1 = r6
r2 = 0
r3 = r10
r3 += -16
call bpf_dynptr_from_xdp
r1 = r10
r1 += -16
r2 = 0
r3 = r10
r3 += -32
r4 = 14
call bpf_dynptr_slice
if r0 == 0 goto out
r1 = *(u16 *)(r0 + 12)
out:
r0 = 2
exit
