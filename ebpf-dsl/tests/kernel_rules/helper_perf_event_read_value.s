# kernel: accept
# since: 6.18
r1 = pe ll
r2 = 0
r3 = r10
r3 += -24
r4 = 24
call bpf_perf_event_read_value
r0 = 2
exit
