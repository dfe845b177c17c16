# kernel: accept
# since: 6.18
# kernel log: w2 s>>= 31 leaves r2 0 or 0xffffffff (s32 -1..=0, 64-bit 0..=0xffffffff); 6.18's maybe_fork_scalars splits the 64-bit `r2 &= -134` on the low half too ("from 3 to 3: R2=0"; the other path R2=0xffffff7a) and both paths skip the load through r0 (a number); this verifier split only a 32-bit operation there (the verifier_subreg/arsh_31_and selftest with `w2 &= -134` made 64-bit)
call bpf_get_prandom_u32
w2 = w0
w2 s>>= 31
r2 &= -134
if w2 s> -1 goto out
if w2 != -136 goto out
r0 = *(u64 *)(r0 + 0)
out:
w0 = 0
exit
