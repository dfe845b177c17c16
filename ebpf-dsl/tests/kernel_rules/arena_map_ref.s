# kernel: reject
# type: socket_filter
# kernel log: (none: BPF_MAP_CREATE of the arena fails with EPERM, even to root)
# The reference kernel cannot create an arena map, so a program using one never loads; the
# static verifier refuses the ld_imm64 of an arena (not modelled).
.map ar arena key=0 value=0 max_entries=2 flags=BPF_F_MMAPABLE
r1 = ar ll
r0 = 0
exit
