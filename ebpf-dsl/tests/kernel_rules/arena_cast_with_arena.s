# kernel: reject
# kernel log: (none: BPF_MAP_CREATE of the arena fails with EPERM, even to root)
# With an arena (on a kernel that has them) the cast would make r1 an arena pointer, whose
# loads and stores at any offset are allowed; here the program cannot load at all.
.map ar arena key=0 value=0 max_entries=2 flags=BPF_F_MMAPABLE
r2 = ar ll
r1 = 0
r1 = addr_space_cast(r1, 0, 1)
r0 = *(u32 *)(r1 + 4096)
r0 = 2
exit
