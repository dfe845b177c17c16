# kernel: accept
# since: 6.7
# type: sched_cls
# bpf_throw ends the program (every frame unwound); without an exception callback the
# kernel's default one returns the cookie. The code after the call is dead but must exist
# (the last instruction of a function is an exit or a jump).
r1 = 5
call bpf_throw
r0 = 0
exit
