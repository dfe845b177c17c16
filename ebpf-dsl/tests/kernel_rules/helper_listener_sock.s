# kernel: accept
# type: sched_cls
r1 = *(u64 *)(r1 + 168)
if r1 == 0 goto out
call bpf_get_listener_sock
if r0 == 0 goto out
r0 = *(u32 *)(r0 + 4)
out:
r0 = 0
exit
