# kernel: reject
# type: sched_cls
# kernel log: cannot pass map_type 2 into func bpf_sk_storage_delete#108
r6 = r1
r1 = *(u64 *)(r6 + 168)
if r1 == 0 goto out
r2 = r1
r1 = m ll
call bpf_sk_storage_delete
out:
r0 = 0
exit
