# kernel: reject
# since: 6.18
# kernel log: R6 invalid mem access 'scalar'
# bpf_xdp_pull_data (Linux 6.18) may move the packet: a packet pointer checked before the
# call is unusable after it
r6 = *(u32 *)(r1 + 0)
r7 = *(u32 *)(r1 + 4)
r2 = r6
r2 += 4
if r2 > r7 goto out
r2 = 0
call bpf_xdp_pull_data
r0 = *(u32 *)(r6 + 0)
out:
r0 = 2
exit
