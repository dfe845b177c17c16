# kernel: accept
# since: 6.18
r1 = r10
r1 += -16
r2 = 16
call bpf_get_current_comm
call bpf_get_current_uid_gid
r0 = 2
exit
