# kernel: reject
# type: sched_cls
# kernel log: bpf_throw kfunc (insn 9) cannot be called from callback subprog 1
r1 = 4
r2 = cb ll
r3 = 0
r4 = 0
call bpf_loop
r0 = 0
exit
cb:
r1 = 3
call bpf_throw
r0 = 0
exit
