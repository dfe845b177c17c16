# kernel: reject
# kernel log: program of this type cannot use helper bpf_tcp_sock#96
call bpf_tcp_sock
r0 = 0
exit
