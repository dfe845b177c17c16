# kernel: reject
# type: sched_cls
# kernel log: invalid bpf_sock access off=50 size=2
# dst_port is 16 bits wide (48..50): its padding (50..52) cannot be read.
r6 = r1
*(u64 *)(r10 - 8) = 0
*(u64 *)(r10 - 16) = 0
r1 = r6
r2 = r10
r2 += -16
r3 = 12
r4 = -1
r5 = 0
call bpf_sk_lookup_tcp
if r0 == 0 goto out
r7 = *(u16 *)(r0 + 50)
r1 = r0
call bpf_sk_release
out:
r0 = 0
exit
