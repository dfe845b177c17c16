# kernel: reject
# kernel log: invalid read from stack off -16+0 size 8
r6 = r1
r1 = r6
r2 = 0
r3 = r10
r3 += -16
call bpf_dynptr_from_xdp
r1 = 1
lock *(u64 *)(r10 - 16) += r1
r0 = 2
exit
