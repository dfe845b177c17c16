# kernel: reject
# kernel log: invalid access to packet, off=0 size=1, R2(id=0,off=0,r=0)
#   a variable offset (0 or 4) into the frozen map: the load is unknown
.map cfg array key=4 value=8 flags=rdonly_prog init=0000000000000000
r2 = *(u32 *)(r1 + 0)
r3 = *(u32 *)(r1 + 16)
r3 &= 4
r1 = map_value(cfg, 0) ll
r1 += r3
r0 = *(u32 *)(r1 + 0)
if r0 == 0 goto out
r0 = *(u8 *)(r2 + 0)
out:
r0 = 2
exit
