# kernel: accept
# since: 6.2
# type: socket_filter
# btf: vmlinux
ld_pseudo r2, 3, btf_id(func bpf_map_lookup_elem)
*(u64 *)(r10 - 8) = r2
r3 = *(u64 *)(r10 - 8)
r3 += 8
if r3 == 0 goto out
out:
r0 = 0
exit
