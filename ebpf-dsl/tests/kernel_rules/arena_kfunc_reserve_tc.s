# kernel: reject
# type: sched_cls
# kernel log: calling kernel function bpf_arena_reserve_pages is not allowed
r1 = m ll
r2 = 0
r3 = 1
call bpf_arena_reserve_pages
r0 = 0
exit
