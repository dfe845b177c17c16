# kernel: accept
# type: sched_cls
# One byte inside src_ip6 (offset 29) and the second byte of dst_port (49): the addresses
# and dst_port may be read narrowed at any offset inside them.
r6 = r1
*(u64 *)(r10 - 8) = 0
*(u64 *)(r10 - 16) = 0
r1 = r6
r2 = r10
r2 += -16
r3 = 12
r4 = -1
r5 = 0
call bpf_sk_lookup_tcp
if r0 == 0 goto out
r7 = *(u8 *)(r0 + 29)
r7 = *(u8 *)(r0 + 49)
r7 = *(u16 *)(r0 + 26)
r1 = r0
call bpf_sk_release
out:
r0 = 0
exit
