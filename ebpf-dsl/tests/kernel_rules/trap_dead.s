# kernel: accept
# since: 6.16
# type: socket_filter
# a call of __bpf_trap on a path the verifier never takes (r0 is known to be 0): left alone
r0 = 0
if r0 == 0 goto +1
call __bpf_trap
r0 = 2
exit
