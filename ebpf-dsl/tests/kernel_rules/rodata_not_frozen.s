# kernel: reject
# kernel log: invalid access to packet, off=0 size=1, R2(id=0,off=0,r=0)
#   without rdonly_prog the map is written but not frozen: its bytes are unknown
.map cfgw array key=4 value=8 init=0000000007000000
r2 = *(u32 *)(r1 + 0)
r1 = map_value(cfgw, 0) ll
r0 = *(u32 *)(r1 + 0)
if r0 == 0 goto out
r0 = *(u8 *)(r2 + 0)
out:
r0 = 2
exit
