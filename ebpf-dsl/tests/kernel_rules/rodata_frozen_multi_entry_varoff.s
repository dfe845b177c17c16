# kernel: accept
# kernel log: the same map read at a variable offset: no direct read, an unknown number
.map cfg4 array key=4 value=8 max_entries=4 flags=rdonly_prog init=0000000007000000
r6 = *(u32 *)(r1 + 16)
r6 &= 4
*(u32 *)(r10 - 4) = 0
r2 = r10
r2 += -4
r1 = cfg4 ll
call bpf_map_lookup_elem
if r0 == 0 goto out
r0 += r6
r0 = *(u32 *)(r0 + 0)
out:
r0 = 2
exit
