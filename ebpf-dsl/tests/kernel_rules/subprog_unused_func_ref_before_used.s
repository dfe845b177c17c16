# kernel: accept
# subprog_unused_func_ref_last.s with the unused `g` before `f`: once g's code is removed, the
# load's target index is f's start, a function (never called through it), so the kernel loads it.
r2 = g ll
call f
r0 = 0
exit
g:
r0 = 0
exit
f:
r0 = 0
exit
