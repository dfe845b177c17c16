# kernel: reject
# type: sched_cls
# kernel log: bpf_throw kfunc ... cannot be called from callback subprog 2. A static function
# a bpf_loop callback calls throws.
r1 = 4
r2 = cb ll
r3 = 0
r4 = 0
call bpf_loop
r0 = 0
exit
cb:
call f
r0 = 0
exit
f:
r1 = 1
call bpf_throw
r0 = 0
exit
