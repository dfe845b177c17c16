# kernel: accept
# since: 6.6
# note: the same with the zero in a register on the left: `if r1 == r6` with r1 = 0 is never true
*(u32 *)(r10 - 4) = 0
r2 = r10
r2 += -4
r1 = m ll
call bpf_map_lookup_elem
r6 = r0
if r6 == 0 goto out
r1 = 0
if r1 == r6 goto bad
goto out
bad:
r10 += 10
out:
r0 = 2
exit
