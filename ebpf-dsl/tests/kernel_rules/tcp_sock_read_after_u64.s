# kernel: accept
# type: sched_cls
# note: dsack_dups (96), the u32 after bytes_acked; the upper halves 84 and 92 are refused
r1 = *(u64 *)(r1 + 168)
if r1 == 0 goto out
call bpf_tcp_sock
if r0 == 0 goto out
r1 = *(u32 *)(r0 + 96)
r1 = *(u64 *)(r0 + 88)
out:
r0 = 0
exit
