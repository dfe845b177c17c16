# kernel: accept
# bpf_xdp_store_bytes is not in the kernel's bpf_helper_changes_pkt_data (it writes into the
# packet, it does not move it): the packet pointers checked before the call stay valid.
r6 = r1
r7 = *(u32 *)(r6 + 0)
r8 = *(u32 *)(r6 + 4)
r1 = r7
r1 += 8
if r1 > r8 goto out
*(u64 *)(r10 - 8) = 0
r1 = r6
r2 = 0
r3 = r10
r3 += -8
r4 = 8
call bpf_xdp_store_bytes
r0 = *(u8 *)(r7 + 0)
out:
r0 = 2
exit
