# kernel: accept
# The accepting twin of regsafe_anything_arg_used_after.s: r7 is 0 or 10, below 50 on both
# paths, so the read above the frame is never reached.
r6 = r1
call bpf_get_prandom_u32
r7 = 0
if r0 != 7 goto j
r7 = 10
j:
r1 = r6
r2 = r7
r3 = r10
r3 += -16
r4 = 8
call bpf_xdp_load_bytes
if r7 < 50 goto ok
r0 = *(u64 *)(r10 + 8)
ok:
r0 = 2
exit
