# kernel: accept
# since: 6.15
# kernel log: (a 1-byte load-acquire is at most 255: the dereference of r0 is dead)
*(u64 *)(r10 - 8) = -1
w0 = load_acquire((u8 *)(r10 - 8))
if r0 > 255 goto bad
exit
bad:
r0 = *(u32 *)(r0 + 0)
exit
