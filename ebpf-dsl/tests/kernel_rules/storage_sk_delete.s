# kernel: accept
# type: sched_cls
r6 = r1
r1 = *(u64 *)(r6 + 168)
if r1 == 0 goto out
r2 = r1
r1 = sk ll
call bpf_sk_storage_delete
out:
r0 = 0
exit
