# kernel: reject
# kernel log: Unreleased reference id=1 alloc_insn=7
# a function that starts an iterator in its own frame and returns: never destroyed
call f
r0 = 2
exit
f:
r1 = r10
r1 += -8
r2 = 0
r3 = 10
call bpf_iter_num_new
r0 = 0
exit
