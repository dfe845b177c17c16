# kernel: accept
# kernel log: a privileged loader may read stack bytes never written, deeper than every write so far (the read grows the frame's `allocated_stack`: "bpf: Fix accesses to uninit stack slots", upstream 6.8, in 6.6 from 6.6.14 and 6.1 from 6.1.191). An earlier 6.6.y / 6.1.y refuses both reads here (`invalid read from stack R10 off=-16 size=8`, then `invalid indirect access to stack`), reasoned from 6.1.192's `check_stack_slot_within_bounds`: the UNINIT_STACK_GROW gate, unit tests in `verifier/uninit_stack_tests.rs`
r1 = 0
*(u32 *)(r10 - 4) = r1
r6 = *(u64 *)(r10 - 16)
r2 = r10
r2 += -24
r1 = m ll
call bpf_map_lookup_elem
r0 = 2
exit
