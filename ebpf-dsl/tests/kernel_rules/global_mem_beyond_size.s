# kernel: reject
# kernel log: invalid access to memory, mem_size=4 off=4 size=4. The body may touch only the
# pointee's size, however large the caller's buffer is.
.global_func f(mem 4 nonnull)
*(u64 *)(r10 - 16) = 0
*(u64 *)(r10 - 8) = 0
r1 = r10
r1 += -16
call f
exit
f:
r0 = *(u32 *)(r1 + 4)
exit
