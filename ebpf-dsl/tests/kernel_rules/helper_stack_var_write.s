# kernel: accept
# A helper may write through a stack pointer with a variable offset (privileged): the whole
# range it may cover, r10-24 .. r10, lies in the frame (`check_stack_range_initialized`).
r6 = r1
call bpf_get_prandom_u32
r0 &= 8
r3 = r10
r3 += -24
r3 += r0
r1 = r6
r2 = 0
r4 = 16
call bpf_xdp_load_bytes
r0 = *(u64 *)(r10 - 16)
r0 = 2
exit
