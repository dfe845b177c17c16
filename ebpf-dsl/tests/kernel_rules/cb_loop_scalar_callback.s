# kernel: reject
# kernel log: R2 type=scalar expected=func
r1 = 10
r2 = 0
r3 = 0
r4 = 0
call bpf_loop
r0 = 2
exit
