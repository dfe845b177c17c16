# kernel: reject
# type: sched_cls
# kernel log: bpf_throw kfunc ... cannot be called from callback subprog 1. The kernel walks
# the text (check_max_stack_depth): a throw no path reaches under a callback is refused too.
r1 = 4
r2 = cb ll
r3 = 0
r4 = 0
call bpf_loop
r0 = 0
exit
cb:
r0 = 0
if r0 == 0 goto out
r1 = 3
call bpf_throw
out:
exit
