# kernel: reject
# type: sched_cls
# kernel log: verifier bug: error during ctx access conversion (0)
# note: bpf_tcp_sock_is_valid_access lets the 4-byte read of the upper half of a u64 field
# (bytes_received 80, bytes_acked 88) through; the rewrite of the access then fails
r1 = *(u64 *)(r1 + 168)
if r1 == 0 goto out
call bpf_tcp_sock
if r0 == 0 goto out
r1 = *(u32 *)(r0 + 84)
out:
r0 = 0
exit
