# kernel: accept
# since: 6.4
# license: Dual BSD/GPL
# The same dead kfunc call in a GPL-compatible program: accepted.
r0 = 2
if r0 == 2 goto out
r1 = r10
r1 += -8
r2 = 0
r3 = 4
call bpf_iter_num_new
r1 = r10
r1 += -8
call bpf_iter_num_destroy
out:
r0 = 2
exit
