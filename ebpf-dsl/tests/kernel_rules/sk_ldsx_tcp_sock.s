# kernel: accept
# type: sched_cls
# A sign-extending load of a struct bpf_tcp_sock field (bpf_tcp_sock_is_valid_access has no
# is_ldsx test).
r2 = *(u64 *)(r1 + 168)
if r2 == 0 goto out
r1 = r2
call bpf_tcp_sock
if r0 == 0 goto out
r0 = *(s32 *)(r0 + 0)
out:
r0 = 0
exit
