# kernel: accept
# since: 6.14
# kernel log: R0=map_value(map=arr,ks=4,vs=8) after the call
# The counterpart of `null_array_const_key_upper_half_whole_value.s`: the spilled register
# is 1, so the kernel's key is 1, in bounds (though the key's bytes, the upper half, are 0).
.map arr array key=4 value=8 max_entries=8
r1 = 1
*(u64 *)(r10 - 8) = r1
r2 = r10
r2 += -4
r1 = arr ll
call bpf_map_lookup_elem
r0 = *(u64 *)(r0 + 0)
r0 = 2
exit
