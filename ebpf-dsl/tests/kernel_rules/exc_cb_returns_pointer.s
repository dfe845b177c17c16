# kernel: accept
# since: 6.7
# type: sched_cls
# The exception callback's return is the program's (check_return_code with
# in_exception_callback_fn): tc has no range, and a privileged load may return a pointer,
# unlike another global function ("At subprogram exit the register R0 is not a scalar").
.global_func cb(scalar) exception_callback
r1 = 7
call bpf_throw
r0 = 0
exit
cb:
r0 = r10
exit
