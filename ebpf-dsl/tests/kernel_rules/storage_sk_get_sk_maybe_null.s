# kernel: reject
# type: sched_cls
# kernel log: R2 type=sock_common_or_null expected=...
r6 = r1
r2 = *(u64 *)(r6 + 168)
r1 = sk ll
r3 = 0
r4 = 0
call bpf_sk_storage_get
r0 = 0
exit
