# kernel: reject
# kernel log: verifier bug: backtracking misuse (6.18.44, EFAULT: it marks the pointer in r1
# precise); 6.12.118 and 7.2 refuse it as "R1 type=fp expected=scalar": bpf_loop_proto's count
# of rounds is ARG_SCALAR, not ARG_ANYTHING (found by tools/helper-protos/check.py)
r1 = r10
r2 = cb ll
r3 = 0
r4 = 0
call bpf_loop
r0 = 2
exit
cb:
r0 = 0
exit
