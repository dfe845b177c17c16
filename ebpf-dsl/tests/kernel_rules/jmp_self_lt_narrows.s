# kernel: accept
# since: 6.12
# A register compared with itself is narrowed on the branch that holds: `r0 < r0` makes
# 0..=u32::MAX into 1..=u32::MAX - 1 (`regs_refine_cond_op` on one state, max - 1 then
# min + 1), so `r0 s< 1` is then never true.
call bpf_get_prandom_u32
w0 = w0
if r0 < r0 goto l0
r0 = 0
exit
l0:
if r0 s< 1 goto bad
r0 = 0
exit
bad:
r0 = *(u64 *)(r0 + 0)
exit
