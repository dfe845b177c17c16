# kernel: accept
# since: 6.18
# `w2 s>>= 31` gives -1 or 0; `w2 &= -134` then splits the path (`maybe_fork_scalars`): -134
# on this one, 0 on the other, each verified apart. On the -134 path `w2 s> -1` never holds
# and `w2 != -136` always does: the division by the constant 0 is never reached.
call bpf_get_prandom_u32
w2 = w0
w2 s>>= 31
w2 &= -134
if w2 s> -1 goto +2
if w2 != -136 goto +1
w0 /= 0
r0 = 2
exit
