# kernel: reject
# kernel log: R1 type=scalar expected=fp, pkt, pkt_meta, map_key, map_value, mem, ...
.global_func f(mem 4)
r1 = 8
call f
exit
f:
r0 = 0
exit
