# kernel: reject
# type: sched_cls
# kernel log: tail_call is not allowed in subprogs without BTF
call sub
r0 = 0
exit
sub:
r2 = pa ll
r3 = 0
call bpf_tail_call
r0 = 0
exit
