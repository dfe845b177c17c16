# kernel: reject
r1 = r10
r1 += -8
r2 = 16
r3 = 0
call bpf_probe_read_kernel
r0 = 2
exit
