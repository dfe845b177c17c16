# kernel: accept
# target: 6.18
# A 32-bit `&` test (`if w7 & 0x20`) of an exact register before the wrapping difference of
# alu_big_offset_exact_after_compare.s: the fall-through clears bit 5 of r7 (and forgets its
# ranges, as 6.18 does), both branches' refinements are the kernel's, so the second walk keeps
# the marks and accepts the offset 0..=0xffffffff (minimum 0).
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
if w7 & 0x20 goto out
w6 -= w7
r9 += r6
out:
r0 = 2
exit
