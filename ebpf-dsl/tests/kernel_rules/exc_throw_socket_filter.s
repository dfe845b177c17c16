# kernel: reject
# type: socket_filter
# kernel log: calling kernel function bpf_throw is not allowed (the generic kfuncs are not
# offered to socket filters).
r1 = 1
call bpf_throw
r0 = 0
exit
