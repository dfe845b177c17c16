# kernel: reject
# type: socket_filter
# kernel log: R4 invalid zero-sized read
r1 = 0
r2 = 0
r3 = r10
r3 += -8
r4 = 0
call bpf_get_ns_current_pid_tgid
r0 = 0
exit
