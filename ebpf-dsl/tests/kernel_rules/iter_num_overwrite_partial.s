# kernel: reject
# kernel log: Unreleased reference id=1 alloc_insn=4
r1 = r10
r1 += -8
r2 = 0
r3 = 10
call bpf_iter_num_new
*(u8 *)(r10 - 5) = 0
r0 = 2
exit
