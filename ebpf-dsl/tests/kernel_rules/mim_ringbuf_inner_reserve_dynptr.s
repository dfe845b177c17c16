# kernel: accept
# The inner ring buffer of a map of maps (null-checked) is a map argument of
# bpf_ringbuf_reserve_dynptr like a named ring buffer; the dynptr is then discarded.
.map rbm array_of_maps key=4 value=4 max_entries=1 inner=ringbuf:0:0:65536
*(u32 *)(r10 - 4) = 0
r2 = r10
r2 += -4
r1 = rbm ll
call bpf_map_lookup_elem
if r0 == 0 goto out
r1 = r0
r2 = 16
r3 = 0
r4 = r10
r4 += -24
call bpf_ringbuf_reserve_dynptr
r1 = r10
r1 += -24
r2 = 0
call bpf_ringbuf_discard_dynptr
out:
r0 = 0
exit
