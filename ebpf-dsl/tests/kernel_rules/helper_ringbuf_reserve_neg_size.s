# kernel: accept
# kernel log: ARG_CONST_ALLOC_SIZE_OR_ZERO asks only for a known constant; -1 fails at run time
.map rb ringbuf key=0 value=0 max_entries=4096
r1 = rb ll
r2 = -1
r3 = 0
call bpf_ringbuf_reserve
if r0 == 0 goto out
r1 = r0
r2 = 0
call bpf_ringbuf_discard
out:
r0 = 2
exit
