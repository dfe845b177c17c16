# kernel: reject
# kernel log: cannot pass map_type 30 into func bpf_map_pop_elem#88
# A bloom filter cannot be popped (only pushed to and peeked at).
.map bf bloom_filter key=0 value=8 max_entries=16
r2 = r10
r2 += -8
r1 = bf ll
call bpf_map_pop_elem
r0 = 2
exit
