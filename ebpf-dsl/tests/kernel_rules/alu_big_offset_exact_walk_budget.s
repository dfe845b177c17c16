# kernel: accept
# target: 6.18
# The offset added at the end is the low half of `data_end - data`, exactly 0..=0xffffffff for
# the kernel (as alu_big_offset_exact_ptr_diff): the 2^29 class, which the second walk decides.
# The running minimum r7 (`if r7 > r0: r7 = r0`, r0 from bpf_get_prandom_u32) reaches the loop
# head with new bounds on nearly every path (its maximum 2^64-2, 2^64-3, ...). The kernel prunes
# those paths (r7 is imprecise: its value decides nothing) and accepts in 718 instructions
# (6.18.44: 1,000 rounds in 15,406). A second walk that pruned only where every marked location
# held the same bounds walked the 32 rounds path by path and ran out of its 1,000,000-instruction
# budget (20 rounds: 321,210 instructions), a false reject until the second walk pruned with the
# first walk's liveness and precision (`exact::prunes_masked`): now 718, as the kernel. Reduced
# from XDP-Forwarding's `xdp_prog_main` built by clang-14 (its port loop keeps the least `pps`).
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
