# kernel: reject
# type: sched_cls
# btf: vmlinux
# kernel log: an untrusted pointer is not a socket for bpf_sk_assign (R2 type=untrusted_ptr_ expected=sock_common, ...)
r6 = r1
r1 = *(u64 *)(r1 + 168)
r2 = btf_id(struct sock_common)
call bpf_rdonly_cast
r1 = r6
r2 = r0
r3 = 0
call bpf_sk_assign
r0 = 0
exit
