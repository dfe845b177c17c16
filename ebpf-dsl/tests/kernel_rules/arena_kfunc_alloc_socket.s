# kernel: reject
# type: socket_filter
# kernel log: calling kernel function bpf_arena_alloc_pages is not allowed
# (the reference kernel offers the arena kfuncs to no program type; a map of any type may be
# passed as p__map, the refusal comes before the arguments are looked at)
r1 = m ll
r2 = 0
r3 = 1
r4 = -1
r5 = 0
call bpf_arena_alloc_pages
r0 = 0
exit
