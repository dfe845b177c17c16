# kernel: reject
# type: sched_cls
# kernel log: BPF_LD_[ABS|IND] cannot be used inside bpf_spin_lock-ed region
r9 = r1
*(u32 *)(r10 - 4) = 0
r2 = r10
r2 += -4
r1 = sl ll
call bpf_map_lookup_elem
if r0 == 0 goto out
r6 = r0
r1 = r6
r1 += 4
call bpf_spin_lock
r6 = r9
r0 = *(u8 *)skb[0]
out:
r0 = 0
exit
