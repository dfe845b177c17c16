# kernel: reject
# kernel log: R0 invalid mem access 'map_value_or_null'
# A 4-byte key in the lower half of an 8-byte spilled zero: the kernel counts 8 spilled bytes
# from the key's start, not the key's 4, so it is no constant key.
r1 = 0
*(u64 *)(r10 - 8) = r1
r2 = r10
r2 += -8
r1 = m ll
call bpf_map_lookup_elem
r0 = *(u64 *)(r0 + 0)
r0 = 2
exit
