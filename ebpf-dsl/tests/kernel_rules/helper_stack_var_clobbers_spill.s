# kernel: reject
# kernel log: R1 invalid mem access 'scalar'
# A helper's write through a variable-offset stack pointer clobbers every slot the range may
# cover: the context pointer spilled at r10-16 is a number afterwards.
r6 = r1
*(u64 *)(r10 - 16) = r1
call bpf_get_prandom_u32
r0 &= 8
r3 = r10
r3 += -24
r3 += r0
r1 = r6
r2 = 0
r4 = 8
call bpf_xdp_load_bytes
r1 = *(u64 *)(r10 - 16)
r0 = *(u32 *)(r1 + 0)
r0 = 2
exit
