# kernel: reject
# kernel log: string is not zero-terminated (no NUL from offset 10 to the end of the value)
.map str array key=4 value=18 flags=rdonly_prog init=616263002564202573007878787878787878
*(u64 *)(r10 - 8) = 0
*(u64 *)(r10 - 16) = 0
r6 = r10
r6 += -16
r1 = r6
r2 = 4
r3 = map_value(str, 10) ll
call bpf_strncmp
r0 = 2
exit
