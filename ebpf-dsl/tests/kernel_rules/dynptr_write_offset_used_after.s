# kernel: reject
# bpf_dynptr_write's offset (ARG_ANYTHING) is not precise at the call, but a branch after it
# reads it: 0 and 100 stay apart.
r6 = r1
r2 = 0
r3 = r10
r3 += -16
call bpf_dynptr_from_xdp
call bpf_get_prandom_u32
r7 = 0
if r0 != 7 goto j
r7 = 100
j:
*(u64 *)(r10 - 32) = r7
r1 = r10
r1 += -16
r2 = r7
r3 = r10
r3 += -32
r4 = 8
r5 = 0
call bpf_dynptr_write
if r7 < 50 goto ok
r0 = *(u64 *)(r10 + 8)
ok:
r0 = 2
exit
