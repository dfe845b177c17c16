# kernel: accept
# target: 6.18
# r6 is compared with r8, a quotient (`/=`): the kernel does not track a division, so r8 is
# wholly unknown to it as to this verifier, whose second walk (6.18) therefore keeps r8's and
# r6's exactness marks through the comparison and judges the wrapping difference after it
# (0..=0xffffffff, minimum 0 for the kernel too) as the kernel does (rule cases
# `alu_div*_untracked*`; a false reject before quotients were marked).
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
r8 /= 3
if r6 > r8 goto out
w6 -= w7
r9 += r6
out:
r0 = 2
exit
