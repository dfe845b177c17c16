# kernel: reject
# kernel log: program of this type cannot use helper bpf_sk_fullsock#95
r1 = 0
call bpf_sk_fullsock
r0 = 2
exit
