# kernel: accept
# kernel log: bpf_base_func_proto offers it to every program type when loaded with CAP_PERFMON
call bpf_get_current_task
r0 = 2
exit
