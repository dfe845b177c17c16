# kernel: reject
# type: sched_cls
# kernel log: bpf_throw kfunc (insn 5) cannot be called from callback subprog 1. The exception
# callback may not throw.
.global_func cb(scalar) exception_callback
r1 = 7
call bpf_throw
r0 = 0
exit
cb:
if r1 == 0 goto out
call bpf_throw
out:
r0 = 0
exit
