# kernel: accept
# kernel log: (accepted: destroying a dynptr leaves the slices of bpf_dynptr_slice valid, only plain PTR_TO_MEM is invalidated)
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
r4 = 14
call bpf_dynptr_slice
if r0 == 0 goto out
*(u64 *)(r10 - 8) = 0
r1 = *(u8 *)(r0 + 0)
out:
r0 = 2
exit
