# kernel: reject
# kernel log: invalid access to packet (the tcphdr is 20 bytes, 10 are checked)
r6 = *(u32 *)(r1 + 0)
r7 = *(u32 *)(r1 + 4)
r1 = r6
r1 += 44
if r1 > r7 goto out
r1 = r6
r1 += 14
r2 = r6
r2 += 34
call bpf_tcp_raw_check_syncookie_ipv4
out:
r0 = 2
exit
