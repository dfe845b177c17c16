# kernel: reject
# kernel log: cannot pass map_type 2 into func bpf_perf_event_read#22
r1 = m ll
r2 = 0
call bpf_perf_event_read
r0 = 2
exit
