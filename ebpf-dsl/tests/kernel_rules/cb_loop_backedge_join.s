# kernel: accept
# Two paths differ in r7, which nothing reads after the join; a bpf_loop after the join
# converges after a round (its second round is covered by the first, which marks only what
# the loop needs precise).
call bpf_get_prandom_u32
r8 = r0
r9 = r0
if r8 > 100 goto skip1
r9 += 1
skip1:
if r8 > 200 goto skip2
r9 += 2
skip2:
r7 = 1
if r8 > 10 goto other
r7 = 2
r9 += 3
r9 += 4
other:
r6 = r0
r6 += 1
r6 += 1
r6 += 1
*(u64 *)(r10 - 8) = 0
r1 = 4
r2 = cb ll
r3 = r10
r3 += -8
r4 = 0
call bpf_loop
r0 = 2
exit
cb:
r1 = *(u64 *)(r2 + 0)
r1 &= 1
*(u64 *)(r2 + 0) = r1
r0 = 0
exit
