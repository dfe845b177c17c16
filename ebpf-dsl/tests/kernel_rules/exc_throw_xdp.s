# kernel: accept
# since: 6.7
# bpf_throw in an XDP program; r0 need not be set at the throw.
r1 = 1
call bpf_throw
r0 = 2
exit
