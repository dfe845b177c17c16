# kernel: reject
# kernel log: R1 pointer arithmetic with *= operator prohibited
# bpf_csum_diff reads the 4 bytes its size register gives at fp-16; fp-8, read after the
# call, is live: the path that spilled the frame pointer there is not pruned.
call bpf_get_prandom_u32
r6 = 0
r7 = 0
r8 = 0
*(u64 *)(r10 - 16) = 0
*(u64 *)(r10 - 8) = 0
if r0 == 0 goto j
goto k
j:
*(u64 *)(r10 - 8) = r10
k:
r1 = r10
r1 += -16
r2 = 4
r3 = 0
r4 = 0
r5 = 0
call bpf_csum_diff
r1 = *(u64 *)(r10 - 8)
r1 *= 3
r0 = 2
exit
