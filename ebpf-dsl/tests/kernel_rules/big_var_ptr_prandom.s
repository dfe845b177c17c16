# kernel: accept
# target: 6.18
# bpf_get_prandom_u32's result is wholly unknown to the kernel (RET_INTEGER, not refined by
# do_refine_retval_range), so its low half (w7 = w0) is exactly 0..=0xffffffff: added twice to
# a map value pointer, minimum 0 + 1 + 0 for the kernel too.
r6 = r1
*(u32 *)(r10 - 4) = 0
r2 = r10
r2 += -4
r1 = m ll
call bpf_map_lookup_elem
if r0 == 0 goto out
r9 = r0
call bpf_get_prandom_u32
w7 = w0
r9 += r7
r9 += 1
r9 += r7
out:
r0 = 2
exit
