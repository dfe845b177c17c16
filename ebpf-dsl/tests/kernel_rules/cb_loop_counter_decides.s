# kernel: accept
# A counter the callback bumps in the caller's stack, which then becomes the return value:
# the program's exit needs r0 set, never its value (no precision, as the kernel's
# `check_return_code` for xdp), so the counter is widened and the rounds converge.
*(u64 *)(r10 - 8) = 0
r1 = 100
r2 = bump ll
r3 = r10
r3 += -8
r4 = 0
call bpf_loop
r0 = *(u64 *)(r10 - 8)
r0 &= 1
exit
bump:
r1 = *(u64 *)(r2 + 0)
r1 += 1
*(u64 *)(r2 + 0) = r1
r0 = 0
exit
