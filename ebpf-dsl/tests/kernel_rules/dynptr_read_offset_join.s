# kernel: accept
# A chain of joins feeding r7 to the offset of the helper bpf_dynptr_read (ARG_ANYTHING,
# not precise): each join prunes its second way.
r6 = r1
r2 = 0
r3 = r10
r3 += -16
call bpf_dynptr_from_xdp
r7 = 0
call bpf_get_prandom_u32
r7 <<= 1
if r0 > 100 goto a0
r7 |= 1
a0:
r1 = r10
r1 += -32
r2 = 8
r3 = r10
r3 += -16
r4 = r7
r5 = 0
call bpf_dynptr_read
call bpf_get_prandom_u32
r7 <<= 1
if r0 > 100 goto a1
r7 |= 1
a1:
r1 = r10
r1 += -32
r2 = 8
r3 = r10
r3 += -16
r4 = r7
r5 = 0
call bpf_dynptr_read
call bpf_get_prandom_u32
r7 <<= 1
if r0 > 100 goto a2
r7 |= 1
a2:
r1 = r10
r1 += -32
r2 = 8
r3 = r10
r3 += -16
r4 = r7
r5 = 0
call bpf_dynptr_read
call bpf_get_prandom_u32
r7 <<= 1
if r0 > 100 goto a3
r7 |= 1
a3:
r1 = r10
r1 += -32
r2 = 8
r3 = r10
r3 += -16
r4 = r7
r5 = 0
call bpf_dynptr_read
call bpf_get_prandom_u32
r7 <<= 1
if r0 > 100 goto a4
r7 |= 1
a4:
r1 = r10
r1 += -32
r2 = 8
r3 = r10
r3 += -16
r4 = r7
r5 = 0
call bpf_dynptr_read
call bpf_get_prandom_u32
r7 <<= 1
if r0 > 100 goto a5
r7 |= 1
a5:
r1 = r10
r1 += -32
r2 = 8
r3 = r10
r3 += -16
r4 = r7
r5 = 0
call bpf_dynptr_read
r0 = 2
exit
