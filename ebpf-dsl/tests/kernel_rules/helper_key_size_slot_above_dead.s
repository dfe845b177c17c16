# kernel: accept
# A map lookup reads its key's 8 bytes at fp-16, not fp-8 above them: the paths that
# differ only in fp-8 (0, or a spilled frame pointer) meet before the call, nothing reads it.
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

r0 = 2
exit
