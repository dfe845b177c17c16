# kernel: accept
# since: 6.12
# Two plain copies of one value (9..=16) compared, `r0 s> r1`: the kernel narrows the source
# to 9..=15 and the destination to 10..=16, then copies the source's value to every copy, the
# destination included (`sync_linked_regs`, source first): r0 is 9..=15, never 16.
call bpf_get_prandom_u32
r0 &= 7
r0 += 9
r1 = r0
if r0 s> r1 goto l
r0 = 0
exit
l:
if r0 == 16 goto bad
r0 = 0
exit
bad:
r0 = *(u64 *)(r0 + 0)
exit
