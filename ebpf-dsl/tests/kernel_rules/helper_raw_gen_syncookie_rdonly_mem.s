# kernel: accept
# since: 6.18
# btf: vmlinux
# kernel log: (bpf_tcp_raw_gen_syncookie_ipv4's tcphdr, r2, is `ARG_PTR_TO_MEM | MEM_RDONLY` on
# 6.18 and 7.2, so read-only memory is taken: here a kernel function's address, read-only
# memory of 0 bytes, with a length of 0; 6.12.118's prototype has no MEM_RDONLY and refuses it,
# "R2 type=rdonly_mem expected=fp, pkt, pkt_meta, map_key, map_value, mem, ringbuf_mem, buf,
# trusted_ptr_"; found by tools/helper-protos/check.py)
*(u64 *)(r10 - 24) = 0
*(u64 *)(r10 - 16) = 0
*(u32 *)(r10 - 8) = 0
r1 = r10
r1 += -24
ld_pseudo r2, 3, btf_id(func kfree)
r3 = 0
call bpf_tcp_raw_gen_syncookie_ipv4
r0 = 2
exit
