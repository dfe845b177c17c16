# kernel: accept
# since: 6.18
# type: sched_cls
# kernel log: bpf_get_netns_cookie takes ARG_PTR_TO_CTX_OR_NULL
r1 = 0
call bpf_get_netns_cookie
r0 = 0
exit
