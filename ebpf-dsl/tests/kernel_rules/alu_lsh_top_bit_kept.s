# kernel: accept
# kernel log: 31..=127 << 56 stays a range (127 <= 1 << 7): r0 > 32 always, the dereference is dead
call bpf_get_prandom_u32
r0 &= 127
if r0 < 31 goto out
r0 <<= 56
if r0 > 32 goto out
r0 = *(u64 *)(r0 + 0)
out:
r0 = 2
exit
