# kernel: accept
# kernel log: a privileged loader may read stack bytes never written, deeper than every write so far (the frame's `allocated_stack` is grown by the read: "bpf: Fix accesses to uninit stack slots", upstream 6.8, in 6.6 from 6.6.14 and 6.1 from 6.1.191; an earlier 6.6.y / 6.1.y refuses `invalid read from stack R10 off=-16 size=8` and `invalid indirect access to stack`, reasoned from 6.1.192's `check_stack_slot_within_bounds`: targets this verifier refuses)
r1 = 0
*(u32 *)(r10 - 4) = r1
r6 = *(u64 *)(r10 - 16)
r2 = r10
r2 += -24
r1 = m ll
call bpf_map_lookup_elem
r0 = 2
exit
