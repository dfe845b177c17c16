# kernel: reject
# kernel log: R0 invalid mem access 'scalar'
call bpf_get_prandom_u32
r0 &= 0x1ff
r0 = be16 r0
if r0 > 0xff00 goto bad
r0 = 0
exit
bad:
r0 = *(u64 *)(r0 + 0)
exit
