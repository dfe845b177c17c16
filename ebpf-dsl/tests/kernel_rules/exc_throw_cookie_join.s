# kernel: accept
# since: 6.7
# A chain of joins feeding r7 to bpf_throw's cookie on a side way (not precise: xdp has no
# return range): each join prunes its second way.
r7 = 0
call bpf_get_prandom_u32
r7 <<= 1
if r0 > 100 goto a0
r7 |= 1
a0:
call bpf_get_prandom_u32
if r0 != 7 goto b0
r1 = r7
call bpf_throw
b0:
call bpf_get_prandom_u32
r7 <<= 1
if r0 > 100 goto a1
r7 |= 1
a1:
call bpf_get_prandom_u32
if r0 != 7 goto b1
r1 = r7
call bpf_throw
b1:
call bpf_get_prandom_u32
r7 <<= 1
if r0 > 100 goto a2
r7 |= 1
a2:
call bpf_get_prandom_u32
if r0 != 7 goto b2
r1 = r7
call bpf_throw
b2:
call bpf_get_prandom_u32
r7 <<= 1
if r0 > 100 goto a3
r7 |= 1
a3:
call bpf_get_prandom_u32
if r0 != 7 goto b3
r1 = r7
call bpf_throw
b3:
call bpf_get_prandom_u32
r7 <<= 1
if r0 > 100 goto a4
r7 |= 1
a4:
call bpf_get_prandom_u32
if r0 != 7 goto b4
r1 = r7
call bpf_throw
b4:
call bpf_get_prandom_u32
r7 <<= 1
if r0 > 100 goto a5
r7 |= 1
a5:
call bpf_get_prandom_u32
if r0 != 7 goto b5
r1 = r7
call bpf_throw
b5:
call bpf_get_prandom_u32
r7 <<= 1
if r0 > 100 goto a6
r7 |= 1
a6:
call bpf_get_prandom_u32
if r0 != 7 goto b6
r1 = r7
call bpf_throw
b6:
call bpf_get_prandom_u32
r7 <<= 1
if r0 > 100 goto a7
r7 |= 1
a7:
call bpf_get_prandom_u32
if r0 != 7 goto b7
r1 = r7
call bpf_throw
b7:
call bpf_get_prandom_u32
r7 <<= 1
if r0 > 100 goto a8
r7 |= 1
a8:
call bpf_get_prandom_u32
if r0 != 7 goto b8
r1 = r7
call bpf_throw
b8:
call bpf_get_prandom_u32
r7 <<= 1
if r0 > 100 goto a9
r7 |= 1
a9:
call bpf_get_prandom_u32
if r0 != 7 goto b9
r1 = r7
call bpf_throw
b9:
r0 = 2
exit
