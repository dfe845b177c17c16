# kernel: accept
# since: 6.18
# kernel log: le32 truncates as coerce_reg_to_size, which keeps 16..=2^31-1 (a mask would lose the 16)
call bpf_get_prandom_u32
r7 = r0
if w7 s< 16 goto out
r7 = le32 r7
if r7 >= 16 goto out
r0 = *(u64 *)(r7 + 0)
out:
r0 = 2
exit
