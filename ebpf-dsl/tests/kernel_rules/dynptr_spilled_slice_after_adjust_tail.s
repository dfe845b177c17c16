# kernel: reject
# kernel log: R7 invalid mem access 'scalar'
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
*(u64 *)(r10 - 24) = r0
r1 = r6
r2 = 0
call bpf_xdp_adjust_tail
r7 = *(u64 *)(r10 - 24)
r0 = *(u8 *)(r7 + 0)
out:
r0 = 2
exit
