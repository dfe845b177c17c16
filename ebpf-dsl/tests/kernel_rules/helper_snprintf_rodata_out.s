# kernel: reject
# until: 6.18
# kernel log: write into map forbidden (the output buffer is in a read-only map)
.map fmt array key=4 value=16 flags=rdonly_prog init=6869000000000000
*(u64 *)(r10 - 8) = 0
r1 = map_value(fmt, 8) ll
r2 = 8
r3 = map_value(fmt, 0) ll
r4 = 0
r5 = 0
call bpf_snprintf
r0 = 2
exit
