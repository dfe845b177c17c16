# kernel: reject
# type: sched_cls
# kernel log: R0 invalid mem access 'map_value_or_null'
r6 = r1
r1 = *(u64 *)(r6 + 168)
if r1 == 0 goto out
r2 = r1
r1 = sk ll
r3 = 0
r4 = 1
call bpf_sk_storage_get
r1 = *(u64 *)(r0 + 0)
out:
r0 = 0
exit
