# kernel: reject
# kernel log: R1 type=rdonly_mem expected=fp, pkt, pkt_meta, map_key, map_value, mem, ringbuf_mem, buf, trusted_ptr_
r6 = r1
r1 = r6
r2 = 0
r3 = r10
r3 += -16
call bpf_dynptr_from_xdp
r1 = r10
r1 += -16
r2 = 0
r3 = 0
r4 = 14
call bpf_dynptr_slice
if r0 == 0 goto out
r1 = r0
r2 = 4
r3 = r10
r3 += -16
r4 = 0
r5 = 0
call bpf_dynptr_read
out:
r0 = 2
exit
