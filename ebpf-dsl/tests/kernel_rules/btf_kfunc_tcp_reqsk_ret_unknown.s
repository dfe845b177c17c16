# kernel: reject
# type: sched_cls
# btf: vmlinux
# since: 6.9
# kernel log: invalid read from stack R10 off=8 size=8 (a kfunc's int result is a 64-bit unknown, mark_reg_unknown: the kernel walks the fall-through)
r6 = r1
*(u64 *)(r10 - 8) = 0
*(u64 *)(r10 - 16) = 0
*(u64 *)(r10 - 24) = 0
*(u64 *)(r10 - 32) = 0
*(u64 *)(r10 - 40) = 0
*(u64 *)(r10 - 48) = 0
r1 = r6
r2 = r10
r2 += -48
r3 = 36
r4 = 0
r5 = 0
call bpf_skc_lookup_tcp
if r0 != 0 goto found
exit
found:
r7 = r0
r1 = r0
call bpf_skc_to_tcp_sock
if r0 == 0 goto nul
r1 = r6
r2 = r0
r3 = r10
r3 += -48
r4 = sizeof(struct bpf_tcp_req_attrs)
call bpf_sk_assign_tcp_reqsk
r1 = 0x100000000 ll
if r0 s< r1 goto nul
r0 = *(u64 *)(r10 + 8)
nul:
r1 = r7
call bpf_sk_release
r0 = 0
exit
