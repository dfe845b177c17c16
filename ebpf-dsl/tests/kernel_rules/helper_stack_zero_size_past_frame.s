# kernel: reject
# type: socket_filter
# kernel log: invalid write to stack R1 off=8 size=0
# A zero-size helper memory argument is still a stack pointer whose place is checked: r10+8
# is past the frame.
r1 = r10
r1 += 8
r2 = 0
r3 = 0
call bpf_probe_read_kernel
r0 = 0
exit
