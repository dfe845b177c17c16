# kernel: reject
# kernel log: R1 invalid mem access 'scalar'
# `w6 &= 0` (constant 0 after `w6 s>>= 31`): both paths give 0, and the pushed path (0) is
# verified too: the dereference of 0 is refused on it.
call bpf_get_prandom_u32
w6 = w0
w6 s>>= 31
w6 |= 0
if w6 == -1 goto out
r1 = r6
r0 = *(u8 *)(r1 + 0)
out:
r0 = 2
exit
