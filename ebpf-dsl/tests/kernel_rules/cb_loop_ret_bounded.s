# kernel: accept
# The return value is checked as a range: the index & 1 is 0 or 1.
r1 = 4
r2 = cb ll
r3 = 0
r4 = 0
call bpf_loop
r0 = 2
exit
cb:
r0 = r1
r0 &= 1
exit
