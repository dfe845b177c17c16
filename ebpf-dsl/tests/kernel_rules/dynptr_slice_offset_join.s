# kernel: accept
# A chain of joins feeding r7 to bpf_dynptr_slice's offset (a plain scalar, not precise):
# each join prunes its second way.
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
r1 += -16
r2 = r7
r3 = r10
r3 += -32
r4 = 8
call bpf_dynptr_slice
call bpf_get_prandom_u32
r7 <<= 1
if r0 > 100 goto a1
r7 |= 1
a1:
r1 = r10
r1 += -16
r2 = r7
r3 = r10
r3 += -32
r4 = 8
call bpf_dynptr_slice
call bpf_get_prandom_u32
r7 <<= 1
if r0 > 100 goto a2
r7 |= 1
a2:
r1 = r10
r1 += -16
r2 = r7
r3 = r10
r3 += -32
r4 = 8
call bpf_dynptr_slice
call bpf_get_prandom_u32
r7 <<= 1
if r0 > 100 goto a3
r7 |= 1
a3:
r1 = r10
r1 += -16
r2 = r7
r3 = r10
r3 += -32
r4 = 8
call bpf_dynptr_slice
call bpf_get_prandom_u32
r7 <<= 1
if r0 > 100 goto a4
r7 |= 1
a4:
r1 = r10
r1 += -16
r2 = r7
r3 = r10
r3 += -32
r4 = 8
call bpf_dynptr_slice
call bpf_get_prandom_u32
r7 <<= 1
if r0 > 100 goto a5
r7 |= 1
a5:
r1 = r10
r1 += -16
r2 = r7
r3 = r10
r3 += -32
r4 = 8
call bpf_dynptr_slice
call bpf_get_prandom_u32
r7 <<= 1
if r0 > 100 goto a6
r7 |= 1
a6:
r1 = r10
r1 += -16
r2 = r7
r3 = r10
r3 += -32
r4 = 8
call bpf_dynptr_slice
call bpf_get_prandom_u32
r7 <<= 1
if r0 > 100 goto a7
r7 |= 1
a7:
r1 = r10
r1 += -16
r2 = r7
r3 = r10
r3 += -32
r4 = 8
call bpf_dynptr_slice
call bpf_get_prandom_u32
r7 <<= 1
if r0 > 100 goto a8
r7 |= 1
a8:
r1 = r10
r1 += -16
r2 = r7
r3 = r10
r3 += -32
r4 = 8
call bpf_dynptr_slice
call bpf_get_prandom_u32
r7 <<= 1
if r0 > 100 goto a9
r7 |= 1
a9:
r1 = r10
r1 += -16
r2 = r7
r3 = r10
r3 += -32
r4 = 8
call bpf_dynptr_slice
r0 = 2
exit
