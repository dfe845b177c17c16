# kernel: reject
# kernel log: (not the reservation)
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
r3 = 8
call bpf_dynptr_data
r7 = r0
if r7 == 0 goto sub
r1 = r7
r2 = 0
call bpf_ringbuf_submit
sub:
r1 = r10
r1 += -16
r2 = 0
call bpf_ringbuf_submit_dynptr
out:
r0 = 2
exit
