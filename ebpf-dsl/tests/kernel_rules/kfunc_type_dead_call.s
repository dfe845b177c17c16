# kernel: accept
# type: socket_filter
# since: 6.4
# A call of an XDP-only kfunc (bpf_dynptr_from_xdp, 6.4) in a socket filter, on a path never
# taken: the kernel resolves every kfunc call at load but checks the program type only where
# a path reaches the call (check_kfunc_call), so the dead call is left alone.
r0 = 2
if r0 == 2 goto out
r1 = r6
r2 = 0
r3 = r10
r3 += -16
call bpf_dynptr_from_xdp
out:
r0 = 2
exit
