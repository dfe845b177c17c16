# kernel: accept
r6 = r1
*(u64 *)(r10 - 8) = 0
*(u64 *)(r10 - 16) = 0
*(u64 *)(r10 - 24) = 0
*(u64 *)(r10 - 32) = 0
*(u64 *)(r10 - 40) = 0
*(u64 *)(r10 - 48) = 0
*(u64 *)(r10 - 56) = 0
r1 = r6
r2 = r10
r2 += -56
r3 = 12
r4 = r10
r4 += -16
r5 = 16
call bpf_xdp_ct_lookup
if r0 == 0 goto out
r1 = 1
w1 = xchg32_32(r0 + 168, w1)
r1 = r0
call bpf_ct_release
out:
r0 = 2
exit
