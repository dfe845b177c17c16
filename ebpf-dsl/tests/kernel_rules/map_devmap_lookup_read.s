# kernel: accept
# note: a lookup in a devmap gives its value (the ifindex), read-only: the kernel creates device maps with BPF_F_RDONLY_PROG (loxilb's tc datapath reads it for bpf_clone_redirect)
.map dm devmap key=4 value=4 max_entries=4
*(u32 *)(r10 - 4) = 0
r2 = r10
r2 += -4
r1 = dm ll
call bpf_map_lookup_elem
if r0 == 0 goto out
r0 = *(u32 *)(r0 + 0)
out:
r0 = 2
exit
