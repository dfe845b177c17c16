# kernel: reject
# target: 6.18
# kernel log: R3 is not a scalar
# bpf_iter_bits_new with its word count (r3, a scalar argument) never set
r1 = r10
r1 += -16
r2 = r10
r2 += -24
call bpf_iter_bits_new
r1 = r10
r1 += -16
call bpf_iter_bits_destroy
r0 = 2
exit
