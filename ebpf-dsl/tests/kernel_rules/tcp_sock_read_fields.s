# kernel: accept
# type: sched_cls
# kernel log: u32 snd_cwnd at 0 and u64 bytes_acked at 88 of struct bpf_tcp_sock
r1 = *(u64 *)(r1 + 168)
if r1 == 0 goto out
call bpf_tcp_sock
if r0 == 0 goto out
r1 = *(u32 *)(r0 + 0)
r1 = *(u64 *)(r0 + 88)
r1 = *(u32 *)(r0 + 108)
out:
r0 = 0
exit
