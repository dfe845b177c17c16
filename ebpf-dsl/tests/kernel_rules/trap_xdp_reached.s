# kernel: reject
# kernel log: unexpected __bpf_trap() due to uninitialized variable?
# __bpf_trap reached in an XDP program, at its very end (after r0 is set)
r0 = 2
call __bpf_trap
exit
