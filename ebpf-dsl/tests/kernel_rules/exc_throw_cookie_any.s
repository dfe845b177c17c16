# kernel: accept
# since: 6.7
# type: sched_cls
# Without an exception callback the cookie is checked as the program's return value
# (check_return_code on R1): tc has no return range, so any number passes.
r1 = -1
call bpf_throw
r0 = 0
exit
