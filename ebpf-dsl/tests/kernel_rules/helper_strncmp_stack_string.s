# kernel: reject
# kernel log: R3 type=fp expected=map_value
.map str array key=4 value=18 flags=rdonly_prog init=616263002564202573007878787878787878
*(u64 *)(r10 - 8) = 0
*(u64 *)(r10 - 16) = 0
r6 = r10
r6 += -16
r1 = r6
r2 = 4
r3 = r6
call bpf_strncmp
r0 = 2
exit
