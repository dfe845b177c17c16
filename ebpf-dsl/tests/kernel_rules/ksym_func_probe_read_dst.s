# kernel: reject
# btf: vmlinux
# kernel log: R1 type=rdonly_mem expected=fp, pkt, pkt_meta, map_key, map_value, mem, ringbuf_mem, buf, trusted_ptr_
# (bpf_probe_read_kernel writes its destination: read-only memory is refused)
ld_pseudo r1, 3, btf_id(func kfree)
r2 = 0
r3 = 0
call bpf_probe_read_kernel
r0 = 0
exit
