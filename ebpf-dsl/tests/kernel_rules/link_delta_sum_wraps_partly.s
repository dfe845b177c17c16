# kernel: reject
# kernel log: R0 invalid mem access 'scalar' (r1 = r0 + 4 with r1 >= 2: r0 = r1 - 4 wraps for some values only, its range stays unknown in every version and `if r0 != 0` is walked both ways)
call bpf_get_prandom_u32
r1 = r0
r1 += 4
if r1 < 2 goto out
if r0 != 0 goto out
r0 = *(u64 *)(r0 + 0)
out:
r0 = 2
exit
