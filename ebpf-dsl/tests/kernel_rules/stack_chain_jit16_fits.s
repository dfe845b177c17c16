# kernel: accept
# since: 6.12
# A call chain of 8 + 496 bytes of stack: 512 when each frame is rounded up to 16 bytes, as for
# a JIT-compiled program (round_up_stack_depth with jit_requested); 32 + 512 = 544 with the
# interpreter's 32-byte rounding, which every target before 6.12 gets (`--interpreter` too).
*(u64 *)(r10 - 8) = 0
call f
r0 = 2
exit
f:
*(u64 *)(r10 - 496) = 0
r0 = 0
exit
