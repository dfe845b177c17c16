# kernel: accept
# type: sched_cls
# note: the range is taken on trust (this verifier cannot model bpf_csum_update); after it r0-r5 are unknown numbers, and the rest is verified
r6 = r1
trust_begin_csum:
r1 = r6
r2 = 0
call bpf_csum_update
trust_end_csum:
r0 = 0
exit
