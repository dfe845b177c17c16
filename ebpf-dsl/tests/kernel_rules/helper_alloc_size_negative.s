# kernel: accept
# ARG_CONST_ALLOC_SIZE_OR_ZERO takes any constant, -8 too: the reservation's size is its low
# 32 bits (0xfffffff8), and the helper gives NULL at run time.
.map rb ringbuf key=0 value=0 max_entries=4096
r1 = rb ll
r2 = -8
r3 = 0
call bpf_ringbuf_reserve
if r0 == 0 goto out
r1 = 7
*(u64 *)(r0 + 4096) = r1
r1 = r0
r2 = 0
call bpf_ringbuf_discard
out:
r0 = 2
exit
