# kernel: accept
# type: sched_cls
# kernel log: processed 3 insns (limit 1000000) max_states_per_insn 0 total_states 0
# A kfunc call with BTF id 0 on a path never taken (r0 is 1): the kernel leaves such a call
# to its dead-code pass (add_kfunc_call), which removes it. (test_verifier "calls: invalid
# kfunc call unreachable".) It was refused before any path was walked.
r0 = 1
if r0 > 0 goto +2
.8byte 0x0000000000002085
r0 = 1
exit
