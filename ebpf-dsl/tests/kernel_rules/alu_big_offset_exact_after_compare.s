# kernel: accept
# target: 6.18
# The same wrapping difference as alu_big_offset_exact_spill_call.s (the kernel's minimum is
# 0), with a comparison of numbers between (`if r7 > 100`): both of its operands' bounds are
# exactly the kernel's (a load, `&=` a constant; the immediate), so the second walk (6.18)
# keeps the exactness marks through it (the kernel's refinement of `r7` on each branch is
# ours) and accepts.
r6 = *(u32 *)(r1 + 16)
r7 = *(u32 *)(r1 + 12)
*(u32 *)(r10 - 4) = 0
r2 = r10
r2 += -4
r1 = m ll
call bpf_map_lookup_elem
if r0 == 0 goto out
r9 = r0
r6 &= 0xffff
r7 &= 0x3c
if r7 > 100 goto out
w6 -= w7
r9 += r6
out:
r0 = 2
exit
