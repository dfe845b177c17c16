# kernel: accept
# since: 6.18
r1 = pe ll
r2 = 0
call bpf_perf_event_read
r0 = 2
exit
