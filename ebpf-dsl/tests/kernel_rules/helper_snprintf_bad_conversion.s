# kernel: reject
# kernel log: Invalid format string ("%f": no floating point conversions)
.map fmtf array key=4 value=4 flags=rdonly_prog init=25660000
*(u64 *)(r10 - 8) = 0
*(u64 *)(r10 - 16) = 0
r6 = r10
r6 += -16
r1 = r6
r2 = 16
r3 = map_value(fmtf, 0) ll
r4 = r10
r4 += -16
r5 = 8
call bpf_snprintf
r0 = 2
exit
