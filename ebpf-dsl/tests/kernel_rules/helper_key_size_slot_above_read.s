# kernel: reject
# kernel log: R1 pointer arithmetic with *= operator prohibited
# fp-8, above the lookup's 8-byte key, is read after the call: the path that spilled the
# frame pointer there must not be pruned by the one holding 0 (the pointer is multiplied).
call bpf_get_prandom_u32
r6 = 0
r7 = 0
r8 = 0
*(u64 *)(r10 - 16) = 0
*(u64 *)(r10 - 8) = 0
if r0 == 0 goto j
goto k
j:
*(u64 *)(r10 - 8) = r10
k:
r1 = h ll
r2 = r10
r2 += -16
call bpf_map_lookup_elem
r1 = *(u64 *)(r10 - 8)
r1 *= 3
r0 = 2
exit
