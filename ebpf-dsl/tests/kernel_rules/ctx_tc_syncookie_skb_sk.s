# kernel: accept
# type: sched_cls
# kernel log: __sk_buff.sk is a PTR_TO_SOCK_COMMON after its null check
r6 = r1
r8 = *(u32 *)(r6 + 76)
r9 = *(u32 *)(r6 + 80)
r1 = r8
r1 += 54
if r1 > r9 goto out
r1 = *(u64 *)(r6 + 168)
if r1 == 0 goto out
r2 = r8
r2 += 14
r3 = 20
r4 = r8
r4 += 34
r5 = 20
call bpf_tcp_check_syncookie
out:
r0 = 0
exit
