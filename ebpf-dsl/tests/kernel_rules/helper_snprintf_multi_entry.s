# kernel: reject
# kernel log: invalid access to map value pointer, value_size=4 off=0 (map_value of an array
#   of 2 entries: refused when the ld_imm64 is resolved, before the string is looked at)
.map fmt2 array key=4 value=4 max_entries=2 flags=rdonly_prog init=25640000
*(u64 *)(r10 - 8) = 0
*(u64 *)(r10 - 16) = 0
r6 = r10
r6 += -16
r1 = r6
r2 = 16
r3 = map_value(fmt2, 0) ll
r4 = r10
r4 += -16
r5 = 8
call bpf_snprintf
r0 = 2
exit
