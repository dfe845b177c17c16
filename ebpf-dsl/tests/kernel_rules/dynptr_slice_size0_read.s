# kernel: reject
# kernel log: R0 min value is outside of the allowed memory range
r6 = r1
r1 = r6
r2 = 0
r3 = r10
r3 += -16
call bpf_dynptr_from_xdp
r1 = r10
r1 += -16
r2 = 0
r3 = 0
r4 = 0
call bpf_dynptr_slice
if r0 == 0 goto out
r0 = *(u8 *)(r0 + 0)
out:
r0 = 2
exit
