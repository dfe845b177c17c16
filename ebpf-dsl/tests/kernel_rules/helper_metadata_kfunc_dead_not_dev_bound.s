# kernel: reject
# kernel log: metadata kfuncs require device-bound program
# The same call on a path never taken (r0 is 2): the kernel checks every kfunc call of the
# program, reached or not, before verifying it.
r0 = 2
if r0 == 2 goto out
r2 = r10
r2 += -8
r3 = r10
r3 += -16
call bpf_xdp_metadata_rx_hash
out:
exit
