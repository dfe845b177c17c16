# kernel: accept
# A bloom filter takes bpf_map_push_elem (add a value) and bpf_map_peek_elem (test one), the
# value read through the pointer (the kernel's check_map_func_compatibility).
.map bf bloom_filter key=0 value=8 max_entries=16
*(u64 *)(r10 - 8) = 7
r2 = r10
r2 += -8
r1 = bf ll
r3 = 0
call bpf_map_push_elem
r2 = r10
r2 += -8
r1 = bf ll
call bpf_map_peek_elem
r0 = 2
exit
