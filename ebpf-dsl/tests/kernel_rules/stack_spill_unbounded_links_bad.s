# kernel: reject
# kernel log: R6 invalid mem access 'scalar'
# The other side of stack_spill_unbounded_links: r6 may be 10, so `r6 > 9` may hold.
call bpf_ktime_get_ns
r6 = r0
r8 = r6
*(u64 *)(r10 - 8) = r6
r7 = *(u64 *)(r10 - 8)
if r7 > 10 goto out
if r6 > 9 goto bad
goto out
bad:
r0 = *(u64 *)(r6 + 0)
out:
r0 = 2
exit
