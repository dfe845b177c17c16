# kernel: reject
# kernel log: R2 invalid mem access 'scalar'
# The sign-extended xdp_md.rx_queue_index s>> 31 is -1 or 0: + 2 may be 2, so bad is reachable.
r2 = *(s32 *)(r1 + 16)
r2 s>>= 31
r2 += 2
if r2 > 1 goto bad
r0 = 2
exit
bad:
r0 = *(u64 *)(r2 + 0)
exit
