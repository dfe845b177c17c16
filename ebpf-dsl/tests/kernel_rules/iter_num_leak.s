# kernel: reject
# kernel log: Unreleased reference id=1 alloc_insn=4
r1 = r10
r1 += -8
r2 = 0
r3 = 10
call bpf_iter_num_new
r0 = 2
exit
