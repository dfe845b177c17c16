# kernel: accept
# type: sched_cls
r6 = r1
call sub
r1 = r6
r2 = pa ll
r3 = 0
call bpf_tail_call
r0 = 0
exit
sub:
r0 = 0
exit
