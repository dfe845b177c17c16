# kernel: accept
# since: 6.12
# A 64-bit number with a low half of 0..=10 (`if w6 > 10`), then `if r6 > 5` (64-bit): the
# 32-bit bounds stay, `w6 > 10` is never true. 6.1.192 replaces them after a 64-bit
# comparison by what the 64-bit bounds give (`__reg_combine_64_into_32`): here the known
# bits only (0..=15).
call bpf_get_prandom_u32
r6 = r0
call bpf_get_prandom_u32
r6 <<= 32
r6 |= r0
if w6 > 10 goto out
if r6 > 5 goto l
goto out
l:
if w6 > 10 goto bad
goto out
bad:
r0 = *(u64 *)(r6 + 0)
out:
r0 = 2
exit
