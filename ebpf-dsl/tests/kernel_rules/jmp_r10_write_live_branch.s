# kernel: reject
# kernel log: frame pointer is read only
call bpf_get_prandom_u32
r0 &= 0xff
if r0 < 128 goto out
r10 = 0
out:
r0 = 2
exit
