# kernel: accept
# since: 6.14
# kernel log: R0=map_value(map=m,ks=4,vs=16) after the call
# A 4-byte key in the upper half of an 8-byte spilled zero: `get_constant_map_key` counts the
# spilled bytes from the key's start to the slot's end (4, the key's size) and takes the
# spilled register's value as the key.
r1 = 0
*(u64 *)(r10 - 8) = r1
r2 = r10
r2 += -4
r1 = m ll
call bpf_map_lookup_elem
r0 = *(u64 *)(r0 + 0)
r0 = 2
exit
