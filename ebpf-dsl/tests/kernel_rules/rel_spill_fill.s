# kernel: accept
# since: 6.15
# kernel log: (a store-release of a pointer to the stack is a spill; a load-acquire fills it)
store_release((u64 *)(r10 - 8), r1)
r2 = load_acquire((u64 *)(r10 - 8))
r0 = *(u32 *)(r2 + 0)
r0 = 2
exit
