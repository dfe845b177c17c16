# kernel: reject
# kernel log: invalid access to map value pointer, value_size=16 off=0 (`map_value` of an array
#   of 2 entries, in a branch no path takes: every ld_imm64 is resolved before verification)
.map two array key=4 value=16 max_entries=2
r0 = 0
if r0 == 0 goto out
r1 = map_value(two, 0) ll
out:
exit
