# kernel: accept
# ours: reject
# target: 6.18
# why ours rejects: the offset added at the end is the low half of `data_end - data`, exactly
# 0..=0xffffffff for the kernel (as alu_big_offset_exact_ptr_diff, which we accept), but the
# 2^29 class's second walk that would vouch for it runs out of its 1,000,000-instruction budget
# first: it prunes only where every marked location of the checkpoint holds the same bounds in
# the state (`exact::prunes`), and the running minimum r7 (`if r7 > r0: r7 = r0`, both marked:
# r0 from bpf_get_prandom_u32) reaches the loop head with new bounds on nearly every path (its
# maximum 2^64-2, 2^64-3, ...), so the 32 rounds are walked path by path (20 rounds: 321,210
# instructions). The kernel prunes them (r7 is imprecise: its value decides nothing) and
# accepts (6.18.44: 1,000 rounds in 15,406 instructions). Reduced from XDP-Forwarding's
# `xdp_prog_main` built by clang-14 (its port loop keeps the least `pps`).
r6 = 0
r7 = -1
r8 = r1
loop:
call bpf_get_prandom_u32
if r7 <= r0 goto skip
r7 = r0
skip:
r6 += 1
if r6 < 32 goto loop
r2 = *(u32 *)(r8 + 0)
r3 = *(u32 *)(r8 + 4)
r4 = r3
r4 -= r2
r4 <<= 32
r4 >>= 32
r2 += r4
r0 = 2
if r2 > r3 goto out
r0 = 1
out:
exit
