# kernel: reject
# kernel log: calling kernel function bpf_arena_free_pages is not allowed
r1 = m ll
r2 = 0
r3 = 1
call bpf_arena_free_pages
r0 = 2
exit
