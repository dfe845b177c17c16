# kernel: reject
# kernel log: invalid read from stack off 8+0 size 8
# The offset of bpf_xdp_load_bytes (r2, ARG_ANYTHING) is not precise at the call, but r7,
# its source, decides a branch after it: the path with r7 = 100 must not be pruned at the
# join by the one with r7 = 0.
r6 = r1
call bpf_get_prandom_u32
r7 = 0
if r0 != 7 goto j
r7 = 100
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
