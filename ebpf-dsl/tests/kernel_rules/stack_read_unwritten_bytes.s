# kernel: accept
# kernel log: a privileged loader may read stack bytes never written within the frame's deepest write (`STACK_INVALID` with `allow_uninit_stack`: "bpf: Allow reads from uninit stack", upstream 6.4, in 6.1 from 6.1.100); a load over them, and a map key half written. 6.1.0 - 6.1.99 refuse both (`invalid read from stack off -16+0 size 4`, `invalid indirect read from stack R2 off -8+2 size 4`), reasoned from the stable patch: the UNINIT_STACK_READ gate, unit tests in `verifier/uninit_stack_tests.rs`
r1 = 0
*(u8 *)(r10 - 13) = r1
r6 = *(u32 *)(r10 - 16)
*(u16 *)(r10 - 8) = r1
r2 = r10
r2 += -8
r1 = m ll
call bpf_map_lookup_elem
r0 = 2
exit
