# kernel: reject
# kernel log: combined stack size of 2 calls is 528. Too large
# A call chain of 24 + 488 bytes of stack: 32 + 496 = 528 even with the JIT's 16-byte
# rounding of each frame (512 unrounded).
*(u64 *)(r10 - 24) = 0
call f
r0 = 2
exit
f:
*(u64 *)(r10 - 488) = 0
r0 = 0
exit
