# kernel: accept
# kernel log: iphdr (20 bytes) and tcphdr (20 bytes) in the packet
r6 = *(u32 *)(r1 + 0)
r7 = *(u32 *)(r1 + 4)
r1 = r6
r1 += 34
r2 = r1
r2 += 20
if r2 > r7 goto out
r1 = r6
r1 += 14
r2 = r6
r2 += 34
call bpf_tcp_raw_check_syncookie_ipv4
out:
r0 = 2
exit
