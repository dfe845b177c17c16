# kernel: accept
# since: 6.12
# A number with no bound at all (r0 of bpf_ktime_get_ns, linked to r8) spilled and filled:
# the fill is a copy linked to r6, so `r7 > 10` narrows r6 too. 6.1.192 writes such a number
# as unknown bytes (`register_is_bounded` in `check_stack_write_fixed_off`): r7 is no copy.
call bpf_ktime_get_ns
r6 = r0
r8 = r6
*(u64 *)(r10 - 8) = r6
r7 = *(u64 *)(r10 - 8)
if r7 > 10 goto out
if r6 > 10 goto bad
goto out
bad:
r0 = *(u64 *)(r6 + 0)
out:
r0 = 2
exit
