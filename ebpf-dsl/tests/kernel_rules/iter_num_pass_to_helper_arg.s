# kernel: reject
# kernel log: invalid read from stack R2 off -8+0 size 4
# the iterator's bytes as a map lookup's key
r1 = r10
r1 += -8
r2 = 0
r3 = 10
call bpf_iter_num_new
r2 = r10
r2 += -8
r1 = m ll
call bpf_map_lookup_elem
r1 = r10
r1 += -8
call bpf_iter_num_destroy
r0 = 2
exit
