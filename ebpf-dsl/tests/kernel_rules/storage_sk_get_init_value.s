# kernel: accept
# type: sched_cls
# kernel log: an initial value of the value's size on the stack
*(u64 *)(r10 - 8) = 0
r6 = r1
r1 = *(u64 *)(r6 + 168)
if r1 == 0 goto out
r2 = r1
r1 = sk ll
r3 = r10
r3 += -8
r4 = 1
call bpf_sk_storage_get
out:
r0 = 0
exit
