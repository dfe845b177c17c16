# kernel: reject
# kernel log: program of this type cannot use helper bpf_csum_update#40
r2 = 0
call bpf_csum_update
r0 = 2
exit
