# kernel: accept
# target: 6.18
# A packet pointer plus rx_queue_index (0..=0xffffffff) plus a byte of ingress_ifindex, then
# compared with data_end (nothing is read: the variable offset is past 0xffff). The kernel's
# minimum before the second addition is 0 (each offset is exactly known to it), so both
# additions are accepted; this verifier's second walk bounds that minimum by its own
# (`transfer/ptr_exact.rs`) instead of doubting the path.
r7 = *(u32 *)(r1 + 16)
r8 = *(u32 *)(r1 + 12)
r8 &= 0xff
r9 = *(u32 *)(r1 + 0)
r5 = *(u32 *)(r1 + 4)
r4 = r9
r4 += r7
r4 += r8
if r4 > r5 goto out
r0 = 1
exit
out:
r0 = 2
exit
