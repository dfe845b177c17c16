# kernel: reject
# kernel log: helper access to the packet is not allowed
# (bpf_xdp_store_bytes has no pkt_access in its prototype: a checked packet pointer is refused
# in its memory argument, as in every argument but ARG_ANYTHING of such a helper)
r6 = r1
r7 = *(u32 *)(r6 + 0)
r8 = *(u32 *)(r6 + 4)
r1 = r7
r1 += 8
if r1 > r8 goto out
r1 = r6
r2 = 0
r3 = r7
r4 = 8
call bpf_xdp_store_bytes
out:
r0 = 2
exit
