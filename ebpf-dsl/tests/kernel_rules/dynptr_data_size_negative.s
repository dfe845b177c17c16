# kernel: accept
# bpf_dynptr_data's length is ARG_CONST_ALLOC_SIZE_OR_ZERO: any constant, -8 too (NULL at run
# time).
.map rb ringbuf key=0 value=0 max_entries=4096
r1 = rb ll
r2 = 8
r3 = 0
r4 = r10
r4 += -16
call bpf_ringbuf_reserve_dynptr
r1 = r10
r1 += -16
r2 = 0
r3 = -8
call bpf_dynptr_data
r1 = r10
r1 += -16
r2 = 0
call bpf_ringbuf_submit_dynptr
r0 = 2
exit
