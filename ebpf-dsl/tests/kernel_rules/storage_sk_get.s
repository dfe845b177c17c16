# kernel: accept
# type: sched_cls
# kernel log: __sk_buff.sk's storage, created if missing (BPF_SK_STORAGE_GET_F_CREATE), read and written after the null check
r6 = r1
r1 = *(u64 *)(r6 + 168)
if r1 == 0 goto out
r2 = r1
r1 = sk ll
r3 = 0
r4 = 1
call bpf_sk_storage_get
if r0 == 0 goto out
r1 = *(u64 *)(r0 + 0)
r1 += 1
*(u64 *)(r0 + 0) = r1
out:
r0 = 0
exit
