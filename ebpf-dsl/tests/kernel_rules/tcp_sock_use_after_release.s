# kernel: reject
# type: sched_cls
# kernel log: R8 invalid mem access 'scalar' (releasing the socket invalidates its tcp_sock)
r6 = r1
*(u64 *)(r10 - 8) = 0
*(u64 *)(r10 - 16) = 0
*(u64 *)(r10 - 24) = 0
*(u64 *)(r10 - 32) = 0
*(u64 *)(r10 - 40) = 0
*(u64 *)(r10 - 48) = 0
r2 = r10
r2 += -48
r3 = 36
r4 = 0
r5 = 0
call bpf_sk_lookup_tcp
if r0 == 0 goto out
r7 = r0
r1 = r0
call bpf_tcp_sock
if r0 == 0 goto orig
r8 = r0
r1 = r7
call bpf_sk_release
r0 = *(u32 *)(r8 + 0)
r0 = 0
exit
orig:
r1 = r7
call bpf_sk_release
out:
r0 = 0
exit
