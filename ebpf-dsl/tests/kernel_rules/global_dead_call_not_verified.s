# kernel: accept
# since: 6.12
# A global function only a dead branch calls is never verified (do_check_subprogs verifies
# those a verified path called): its unchecked NULL dereference does not matter. 6.6.47's
# do_check_subprogs verifies every global function, called or not, and refuses it
# (GLOBAL_LAZY; upstream 6.8 most likely).
.global_func f(mem 4)
r1 = 0
if r1 != 0 goto call_it
r0 = 2
exit
call_it:
call f
exit
f:
r0 = *(u32 *)(r1 + 0)
exit
