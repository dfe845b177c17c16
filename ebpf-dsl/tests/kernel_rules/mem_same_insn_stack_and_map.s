# kernel: accept
# type: sched_cls
# One store reached with a stack pointer on one path and a map value on the other: both
# types may share an instruction (reg_type_mismatch_ok).
r1 = 0
*(u32 *)(r10 - 4) = r1
r2 = r10
r2 += -4
r1 = m ll
call bpf_map_lookup_elem
r1 = r10
r1 += -16
if r0 == 0 goto store
r1 = r0
store:
r3 = 42
*(u32 *)(r1 + 8) = r3
r0 = 0
exit
