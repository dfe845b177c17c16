# kernel: accept
# target: 6.18
# kernel log: (accepted) As jmp_jset_resyncs_forgotten_bounds.s with `if r6 & 3`: a constant of more than one bit refines nothing on the taken branch (`regs_refine_cond_op`), but the synchronisation gives r6 the bounds 0..=1 of its known bits again
call bpf_get_prandom_u32
r6 = r0
r6 &= 1
if w6 < w6 goto l0
r0 = 0
exit
l0:
if r6 & 3 goto l1
r0 = 0
exit
l1:
if r6 > 64 goto bad
r0 = 2
exit
bad:
r0 = 7
r0 = *(u64 *)(r0 + 0)
exit
