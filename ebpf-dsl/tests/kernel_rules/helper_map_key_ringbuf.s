# kernel: accept
# since: 6.2
# kernel log: ring buffer memory is a map key (map_key_value_types has PTR_TO_MEM | MEM_RINGBUF)
.map rb ringbuf key=0 value=0 max_entries=4096
r1 = rb ll
r2 = 8
r3 = 0
call bpf_ringbuf_reserve
if r0 == 0 goto out
r6 = r0
*(u64 *)(r6 + 0) = 0
r1 = m ll
r2 = r6
call bpf_map_lookup_elem
r1 = r6
r2 = 0
call bpf_ringbuf_discard
out:
r0 = 2
exit
