# kernel: reject
# kernel log: R1 invalid mem access 'scalar'. A pointer spilled into the buffer a global
# function gets is an unknown number after the call (check_stack_range_initialized clobbers it).
.global_func f(mem 16)
*(u64 *)(r10 - 16) = r1
*(u64 *)(r10 - 8) = 0
r1 = r10
r1 += -16
call f
r1 = *(u64 *)(r10 - 16)
r0 = *(u32 *)(r1 + 0)
r0 = 2
exit
f:
r0 = 0
exit
