# kernel: accept
# type: sched_cls
# note: `__sk_buff.sk`, null-checked, is a value for a sockmap update (ARG_PTR_TO_BTF_ID_SOCK_COMMON)
r6 = *(u64 *)(r1 + 168)
if r6 == 0 goto out
*(u32 *)(r10 - 4) = 0
r1 = sm ll
r2 = r10
r2 += -4
r3 = r6
r4 = 0
call bpf_map_update_elem
out:
r0 = 0
exit
