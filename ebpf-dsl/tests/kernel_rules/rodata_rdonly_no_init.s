# kernel: reject
# kernel log: invalid access to packet, off=0 size=1, R2(id=0,off=0,r=0)
#   read-only for programs but never frozen (no initial contents): unknown bytes
.map cfgn array key=4 value=8 flags=rdonly_prog
r2 = *(u32 *)(r1 + 0)
r1 = map_value(cfgn, 0) ll
r0 = *(u32 *)(r1 + 0)
if r0 == 0 goto out
r0 = *(u8 *)(r2 + 0)
out:
r0 = 2
exit
