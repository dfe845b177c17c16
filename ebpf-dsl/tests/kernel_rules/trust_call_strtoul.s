# kernel: accept
# note: bpf_strtoul is not modelled by the static verifier; the `trust_call_` label takes this one call on trust (r0 unknown, r1-r5 clobbered, the stack forgotten since r1 and r4 point into it) and verifies the rest
r1 = 0x3231
*(u64 *)(r10 - 8) = r1
r1 = 0
*(u64 *)(r10 - 16) = r1
r1 = r10
r1 += -8
r2 = 2
r3 = 0
r4 = r10
r4 += -16
trust_call_strtoul:
call bpf_strtoul
r0 = *(u64 *)(r10 - 16)
r0 &= 1
exit
