# kernel: accept
# type: sched_cls
r2 = 0
call bpf_csum_update
r6 = r0
r1 = 0
r2 = 0
call bpf_redirect_peer
r0 = 0
exit
