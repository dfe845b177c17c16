# kernel: accept
# since: 6.12
# A global function with a `void *` tagged `arg:ctx` that only a dead branch calls: 6.18
# verifies only the global functions a verified path calls, so its prototype does not
# matter; 6.6.47's do_check_subprogs verifies every global function and refuses this one
# (the tag ignored, the `void` has no size), called or not.
.global_func f(ctx tagged)
r1 = 0
if r1 != 0 goto call_it
r0 = 2
exit
call_it:
call f
exit
f:
r0 = 2
exit
