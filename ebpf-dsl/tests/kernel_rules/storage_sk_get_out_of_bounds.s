# kernel: reject
# type: sched_cls
# kernel log: invalid access to map value, value_size=8 off=8 size=8
r6 = r1
r1 = *(u64 *)(r6 + 168)
if r1 == 0 goto out
r2 = r1
r1 = sk ll
r3 = 0
r4 = 1
call bpf_sk_storage_get
if r0 == 0 goto out
r1 = *(u64 *)(r0 + 8)
out:
r0 = 0
exit
