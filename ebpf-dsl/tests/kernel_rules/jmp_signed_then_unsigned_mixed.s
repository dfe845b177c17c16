# kernel: reject
# kernel log: R0 invalid mem access 'scalar'
# note: after `s<= 8` and `<= 9` the kernel's reg_bounds_sync derives s32 = [0, 9] and then *assigns* the 64-bit signed range from it (__reg_deduce_mixed_bounds), losing smax = 8: r0 == 9 stays possible
call bpf_get_prandom_u32
if r0 s> 8 goto out
if r0 > 9 goto out
if r0 == 9 goto bad
out:
r0 = 2
exit
bad:
r0 = 7
r0 = *(u64 *)(r0 + 0)
exit
