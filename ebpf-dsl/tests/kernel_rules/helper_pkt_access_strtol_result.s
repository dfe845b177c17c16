# kernel: reject
# type: sched_cls
# kernel log: helper access to the packet is not allowed
# (bpf_strtol's result pointer in the packet: no pkt_access)
r6 = r1
r7 = *(u32 *)(r6 + 76)
r8 = *(u32 *)(r6 + 80)
r1 = r7
r1 += 16
if r1 > r8 goto out
*(u64 *)(r10 - 8) = 0
r1 = r10
r1 += -8
r2 = 4
r3 = 0
r4 = r7
call bpf_strtol
out:
r0 = 0
exit
