# kernel: reject
# bpf_ringbuf_reserve_dynptr's size (ARG_ANYTHING) is not precise at the call, but a branch
# after it reads it: 0 and 100 stay apart.
.map rb ringbuf key=0 value=0 max_entries=4096
call bpf_get_prandom_u32
r7 = 0
if r0 != 7 goto j
r7 = 100
j:
r1 = rb ll
r2 = r7
r3 = 0
r4 = r10
r4 += -16
call bpf_ringbuf_reserve_dynptr
r1 = r10
r1 += -16
r2 = 0
call bpf_ringbuf_discard_dynptr
if r7 < 50 goto ok
r0 = *(u64 *)(r10 + 8)
ok:
r0 = 2
exit
