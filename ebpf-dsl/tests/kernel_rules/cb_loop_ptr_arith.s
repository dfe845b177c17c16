# kernel: reject
# kernel log: R2 pointer arithmetic on func prohibited (or: expected=func)
r1 = 10
r2 = cb ll
r2 += 8
r3 = 0
r4 = 0
call bpf_loop
r0 = 2
exit
cb:
r0 = 0
exit
r0 = 0
exit
