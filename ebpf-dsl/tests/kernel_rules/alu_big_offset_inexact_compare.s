# kernel: accept
# target: 6.18
# kernel log: (accepted) r6 is compared with r8, a product: this verifier's product is the kernel's (claimed exact since session 18, the state oracle over the offset fuzzer's programs), so the second walk keeps r6's exactness mark through the comparison and the wrapping difference after it (0..=0xffffffff, minimum 0 for the kernel too) is judged as the kernel judges it (alu_big_offset_inexact_compare_div.s: the same with a quotient, not claimed)
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
r8 = r7
r8 *= 3
if r6 > r8 goto out
w6 -= w7
r9 += r6
out:
r0 = 2
exit
