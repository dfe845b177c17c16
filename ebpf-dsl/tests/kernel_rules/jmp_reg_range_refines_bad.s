# kernel: reject
# kernel log: R7 invalid mem access 'scalar'
# The other side of jmp_reg_range_refines: r7 may be 100, so `r7 > 99` may hold.
call bpf_get_prandom_u32
r6 = r0
r6 &= 100
call bpf_get_prandom_u32
r7 = r0
if r7 > r6 goto out
if r7 > 99 goto bad
goto out
bad:
r0 = *(u64 *)(r7 + 0)
out:
r0 = 2
exit
