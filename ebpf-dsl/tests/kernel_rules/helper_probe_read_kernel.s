# kernel: accept
# since: 6.18
r1 = r10
r1 += -8
r2 = 8
r3 = 0
call bpf_probe_read_kernel
r1 = r10
r1 += -16
r2 = 0
r3 = 0
call bpf_probe_read_user_str
r1 = 0
call bpf_send_signal
r0 = 2
exit
