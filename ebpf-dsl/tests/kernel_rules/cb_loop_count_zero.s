# kernel: accept
# since: 6.6
# A count of 0: the kernel never explores the callback (callback_depth 0 is not below 0), so its
# invalid return value goes unchecked.
r1 = 0
r2 = cb ll
r3 = 0
r4 = 0
call bpf_loop
r0 = 2
exit
cb:
r0 = 2
exit
