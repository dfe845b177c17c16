# kernel: accept
r0 = r10
w0 = -w0
exit
