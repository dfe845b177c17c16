# kernel: reject
# type: sched_cls
# btf: vmlinux
# kernel log: (access beyond struct tcp_sock)
r6 = r1
*(u64 *)(r10 - 8) = 0
*(u64 *)(r10 - 16) = 0
*(u64 *)(r10 - 24) = 0
*(u64 *)(r10 - 32) = 0
*(u64 *)(r10 - 40) = 0
*(u64 *)(r10 - 48) = 0
r1 = r6
r2 = r10
r2 += -48
r3 = 36
r4 = 0
r5 = 0
call bpf_sk_lookup_tcp
if r0 != 0 goto found
exit
found:
r7 = r0
r1 = r0
call bpf_skc_to_tcp_sock
if r0 == 0 goto nul
r0 += sizeof(struct tcp_sock)
r2 = *(u16 *)(r0 + 0)
nul:
r1 = r7
call bpf_sk_release
r0 = 0
exit
