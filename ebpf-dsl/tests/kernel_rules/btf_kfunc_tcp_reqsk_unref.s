# kernel: reject
# type: sched_cls
# btf: vmlinux
# kernel log: R2 must be referenced or trusted (an unreferenced cast of __sk_buff.sk is a plain PTR_TO_BTF_ID)
r6 = r1
*(u64 *)(r10 - 8) = 0
*(u64 *)(r10 - 16) = 0
*(u64 *)(r10 - 24) = 0
r1 = *(u64 *)(r6 + 168)
if r1 == 0 goto out
call bpf_skc_to_tcp_sock
if r0 == 0 goto out
r1 = r6
r2 = r0
r3 = r10
r3 += -24
r4 = sizeof(struct bpf_tcp_req_attrs)
call bpf_sk_assign_tcp_reqsk
out:
r0 = 0
exit
