# kernel: reject
# target: 6.18
# kernel log: misaligned stack access off 0+0+-6 size 4
*(u64 *)(r10 - 8) = 0
w0 = load_acquire((u32 *)(r10 - 6))
r0 = 2
exit
