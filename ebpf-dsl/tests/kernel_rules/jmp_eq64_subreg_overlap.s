# kernel: reject
# kernel log: R0 invalid mem access 'scalar'
# The same number (0..=u32::MAX, s32 -4095..=0) compared with 0xfffffff9, whose low half -7
# is within those bounds: the equal branch is walked.
call bpf_get_prandom_u32
r0 &= 0xfff
w1 = 0
w1 -= w0
r0 = r1
r2 = 0xfffffff9 ll
if r0 != r2 goto out
r0 = *(u64 *)(r0 + 0)
out:
r0 = 0
exit
