# kernel: reject
# kernel log: program of this type cannot use helper bpf_sk_storage_delete#108
r2 = 0
r1 = sk ll
call bpf_sk_storage_delete
r0 = 0
exit
