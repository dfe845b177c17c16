# kernel: reject
# kernel log: recursion through a callback (the callback passes itself to bpf_loop)
r1 = 4
r2 = cb ll
r3 = 0
r4 = 0
call bpf_loop
r0 = 2
exit
cb:
r1 = 4
r2 = cb ll
r3 = 0
r4 = 0
call bpf_loop
r0 = 0
exit
