# kernel: reject
# type: sched_cls
# kernel log: invalid indirect access to stack R3 off=-4 size=8
*(u32 *)(r10 - 4) = 0
r6 = r1
r1 = *(u64 *)(r6 + 168)
if r1 == 0 goto out
r2 = r1
r1 = sk ll
r3 = r10
r3 += -4
r4 = 1
call bpf_sk_storage_get
out:
r0 = 0
exit
