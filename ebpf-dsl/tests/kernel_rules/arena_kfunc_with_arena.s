# kernel: reject
# type: sched_cls
# kernel log: (none: BPF_MAP_CREATE of the arena fails with EPERM, even to root)
.map ar arena key=0 value=0 max_entries=2 flags=BPF_F_MMAPABLE
r1 = ar ll
r2 = 0
r3 = 1
r4 = -1
r5 = 0
call bpf_arena_alloc_pages
r0 = 0
exit
