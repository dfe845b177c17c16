# kernel: accept
# bpf_loop returns the number of iterations: a scalar (r0), r1-r5 clobbered.
r1 = 3
r2 = cb ll
r3 = 0
r4 = 0
call bpf_loop
r0 &= 1
exit
cb:
r0 = 0
exit
