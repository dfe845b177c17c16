# kernel: accept
# kernel log: the map value pointer's own offset and the instruction's add up: bytes 4..8
#   (7) are read, so only the `r0 == 7` path is walked
.map cfg array key=4 value=8 flags=rdonly_prog init=0000000007000000
r2 = *(u32 *)(r1 + 0)
r1 = map_value(cfg, 2) ll
r0 = *(u32 *)(r1 + 2)
if r0 == 7 goto out
r0 = *(u8 *)(r2 + 0)
out:
r0 = 2
exit
