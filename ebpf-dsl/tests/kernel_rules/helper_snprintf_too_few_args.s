# kernel: reject
# kernel log: Invalid format string ("%d %s" with one argument)
.map str array key=4 value=18 flags=rdonly_prog init=616263002564202573007878787878787878
*(u64 *)(r10 - 8) = 0
*(u64 *)(r10 - 16) = 0
r6 = r10
r6 += -16
*(u64 *)(r10 - 24) = 7
*(u64 *)(r10 - 32) = 0
r1 = r6
r2 = 16
r3 = map_value(str, 4) ll
r4 = r10
r4 += -32
r5 = 8
call bpf_snprintf
r0 = 2
exit
