# kernel: accept
# kernel log: bpf_csum_diff has pkt_access: checked packet bytes are its memory
r6 = r1
r7 = *(u32 *)(r6 + 0)
r8 = *(u32 *)(r6 + 4)
r1 = r7
r1 += 8
if r1 > r8 goto out
r1 = r7
r2 = 8
r3 = 0
r4 = 0
r5 = 0
call bpf_csum_diff
out:
r0 = 2
exit
