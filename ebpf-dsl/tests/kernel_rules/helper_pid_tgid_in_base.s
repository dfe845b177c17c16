# kernel: accept
# since: 6.12
# bpf_get_current_pid_tgid from XDP: in `bpf_base_func_proto` in 6.12.118's source, not in
# 6.1.192's (`unknown func bpf_get_current_pid_tgid#14`).
call bpf_get_current_pid_tgid
r0 = 2
exit
