# kernel: accept
# since: 6.18
# bpf_get_current_uid_gid from XDP: the 6.18 reference kernel offers it; no proto of
# 6.12.118 (bpf_base_func_proto, bpf_sk_base_func_proto, xdp_func_proto) nor 6.6.47's
# bpf_base_func_proto has it ("program of this type cannot use helper").
call bpf_get_current_uid_gid
r0 = 2
exit
