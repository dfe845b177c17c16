# kernel: accept
# note: a lookup in a sockmap gives a referenced socket or NULL (is_acquire_function), released with bpf_sk_release
*(u32 *)(r10 - 4) = 0
r2 = r10
r2 += -4
r1 = sm ll
call bpf_map_lookup_elem
if r0 == 0 goto out
r1 = r0
call bpf_sk_release
out:
r0 = 2
exit
