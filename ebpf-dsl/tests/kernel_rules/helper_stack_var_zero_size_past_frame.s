# kernel: reject
# type: socket_filter
# kernel log: invalid variable-offset write to stack R1
# A zero-size helper memory argument through a variable-offset stack pointer: the whole range
# it may point to (r10-16 .. r10+47) must be in the frame, even for 0 bytes.
r1 = *(u32 *)(r1 + 0)
r1 &= 63
r1 += -16
r1 += r10
r2 = 0
r3 = 0
call bpf_probe_read_kernel
r0 = 0
exit
