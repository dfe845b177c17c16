# kernel: accept
# A global function only a dead branch calls, whose body is safe for any argument its
# prototype allows (it null-checks the pointer): accepted by every kernel, whether it
# verifies the uncalled global functions (6.6.47) or not (6.18).
.global_func f(mem 4)
r1 = 0
if r1 != 0 goto call_it
r0 = 2
exit
call_it:
call f
exit
f:
r0 = 0
if r1 == 0 goto out
r0 = *(u32 *)(r1 + 0)
out:
exit
