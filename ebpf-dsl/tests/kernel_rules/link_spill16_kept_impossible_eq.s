# kernel: accept
# since: 6.12
# As `link_spill32_kept_impossible_eq` with a 2-byte spill and fill of a 16-bit number, and an
# equal branch the 32-bit `==` of 6.1.192 walks (only a constant register decides it there).
r8 = r1
*(u32 *)(r10 - 4) = 0
r2 = r10
r2 += -4
r1 = m ll
call bpf_map_lookup_elem
if r0 == 0 goto out
r6 = *(u16 *)(r0 + 0)
r2 = r6
*(u16 *)(r10 - 16) = r2
r3 = *(u16 *)(r10 - 16)
if r6 > 4096 goto out
if w6 == 0x7fff0000 goto eq
goto out
eq:
r4 = *(u32 *)(r8 + 0)
r4 += r3
out:
r0 = 2
exit
