# kernel: reject
# The __szk size of bpf_dynptr_slice differs at a join (16 or 100 bytes into 32): precise, not pruned.
r6 = r1
r2 = 0
r3 = r10
r3 += -16
call bpf_dynptr_from_xdp
call bpf_get_prandom_u32
r4 = 16
if r0 != 7 goto j
r4 = 100
j:
r1 = r10
r1 += -16
r2 = 0
r3 = r10
r3 += -48
call bpf_dynptr_slice
r0 = 2
exit
