# kernel: reject
# license: Proprietary
# kernel log: cannot call kernel function from non-GPL compatible program
# A kfunc call on a path never taken: the kernel refuses every kfunc call of a non-GPL
# program before it walks any path (add_subprog_and_kfunc).
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
