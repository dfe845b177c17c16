# kernel: accept
# since: 6.18
# `r6 s>>= 63` gives -1 or 0; `r6 |= 8` splits the path (`maybe_fork_scalars`): -1 here, 8
# on the other. Past `if r6 s< 0`, r6 is 8: in the 16-byte value of `m`.
*(u32 *)(r10 - 4) = 0
r2 = r10
r2 += -4
r1 = m ll
call bpf_map_lookup_elem
if r0 == 0 goto out
r9 = r0
r6 = *(u64 *)(r9 + 0)
r6 s>>= 63
r6 |= 8
if r6 s< 0 goto out
r9 += r6
r0 = *(u8 *)(r9 + 0)
out:
r0 = 2
exit
