# kernel: reject
# kernel log: Global function f() doesn't return scalar. Only those are supported.
.global_func f() -> void
call f
r0 = 0
exit
f:
r0 = 0
exit
