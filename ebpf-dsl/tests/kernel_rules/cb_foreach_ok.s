# kernel: accept
# for_each_map_elem's callback: r1 the map, r2 the key, r3 the value (16 bytes of `m`), r4 the context.
*(u64 *)(r10 - 8) = 0
r1 = m ll
r2 = cb ll
r3 = r10
r3 += -8
r4 = 0
call bpf_for_each_map_elem
r0 = 2
exit
cb:
r5 = *(u32 *)(r2 + 0)
r0 = *(u64 *)(r3 + 8)
r0 += r5
r1 = *(u64 *)(r4 + 0)
r1 += r0
*(u64 *)(r4 + 0) = r1
r0 = 0
exit
