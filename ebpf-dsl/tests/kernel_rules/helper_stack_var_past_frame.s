# kernel: reject
# kernel log: invalid variable-offset indirect access to stack R3
# As helper_stack_var_write with 8 bytes more: at offset 8 the 16 bytes would reach r10 + 8,
# past the frame.
r6 = r1
call bpf_get_prandom_u32
r0 &= 8
r3 = r10
r3 += -16
r3 += r0
r1 = r6
r2 = 0
r4 = 16
call bpf_xdp_load_bytes
r0 = 2
exit
