# kernel: accept
# since: 6.18
# type: sched_cls
# bpf_send_signal_thread from tc: offered by the 6.18 reference kernel, by no proto of
# 6.12.118 (tc_cls_act_func_proto, bpf_sk_base_func_proto, bpf_base_func_proto).
r1 = 10
call bpf_send_signal_thread
r0 = 0
exit
