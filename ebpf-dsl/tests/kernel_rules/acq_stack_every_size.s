# kernel: accept
# since: 6.15
# kernel log: (load-acquire and store-release of 1, 2, 4 and 8 bytes on the stack)
*(u64 *)(r10 - 8) = 0
w0 = load_acquire((u8 *)(r10 - 8))
w0 = load_acquire((u16 *)(r10 - 8))
w0 = load_acquire((u32 *)(r10 - 8))
r0 = load_acquire((u64 *)(r10 - 8))
w2 = 7
store_release((u8 *)(r10 - 16), w2)
store_release((u16 *)(r10 - 16), w2)
store_release((u32 *)(r10 - 16), w2)
store_release((u64 *)(r10 - 16), r2)
r0 = 2
exit
