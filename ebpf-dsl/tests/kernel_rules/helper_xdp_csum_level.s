# kernel: reject
# kernel log: program of this type cannot use helper bpf_csum_level#135
r2 = 0
call bpf_csum_level
r0 = 2
exit
