# kernel: reject
# kernel log: program of this type cannot use helper bpf_sk_assign#124
r2 = 0
r3 = 0
call bpf_sk_assign
r0 = 2
exit
