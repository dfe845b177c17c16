# kernel: accept
r6 = r1
r8 = *(u32 *)(r6 + 0)
r9 = *(u32 *)(r6 + 4)
r1 = r8
r1 += 54
if r1 > r9 goto out
*(u64 *)(r10 - 8) = 0
*(u64 *)(r10 - 16) = 0
r1 = r6
r2 = r10
r2 += -16
r3 = 12
r4 = -1
r5 = 0
call bpf_skc_lookup_tcp
if r0 == 0 goto out
r7 = r0
r1 = r0
r2 = r8
r2 += 14
r3 = 20
r4 = r8
r4 += 34
r5 = 20
call bpf_tcp_check_syncookie
r1 = r7
call bpf_sk_release
out:
r0 = 2
exit
