# kernel: accept
# kernel log: a lookup result points into the same frozen map: its bytes are known too
.map cfg array key=4 value=8 flags=rdonly_prog init=0000000007000000
r6 = *(u32 *)(r1 + 0)
*(u32 *)(r10 - 4) = 0
r2 = r10
r2 += -4
r1 = cfg ll
call bpf_map_lookup_elem
if r0 == 0 goto out
r0 = *(u32 *)(r0 + 4)
if r0 == 7 goto out
r0 = *(u8 *)(r6 + 0)
out:
r0 = 2
exit
