# kernel: reject
# type: socket_filter
# kernel log: unexpected __bpf_trap() due to uninitialized variable?
# a reachable call of __bpf_trap (LLVM 21's trap kfunc): refused whatever the state
r0 = 0
if r0 == 1 goto +1
call __bpf_trap
r0 = 2
exit
