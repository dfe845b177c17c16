# kernel: reject
# kernel log: callback function not static.
.global_func cb(scalar, scalar)
r1 = 4
r2 = cb ll
r3 = 0
r4 = 0
call bpf_loop
r0 = 0
exit
cb:
r0 = 0
exit
