# kernel: accept
# since: 6.18
# type: socket_filter
call bpf_get_netns_cookie
r0 = 0
exit
