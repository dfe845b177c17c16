# kernel: accept
# A chain of joins feeding r7 to the size of bpf_ringbuf_reserve_dynptr and to the
# flags of bpf_ringbuf_discard_dynptr (both ARG_ANYTHING, not precise): each join prunes
# its second way.
.map rb ringbuf key=0 value=0 max_entries=4096
r7 = 0
call bpf_get_prandom_u32
r7 <<= 1
if r0 > 100 goto a0
r7 |= 1
a0:
r1 = rb ll
r2 = r7
r3 = 0
r4 = r10
r4 += -16
call bpf_ringbuf_reserve_dynptr
r1 = r10
r1 += -16
r2 = r7
call bpf_ringbuf_discard_dynptr
call bpf_get_prandom_u32
r7 <<= 1
if r0 > 100 goto a1
r7 |= 1
a1:
r1 = rb ll
r2 = r7
r3 = 0
r4 = r10
r4 += -16
call bpf_ringbuf_reserve_dynptr
r1 = r10
r1 += -16
r2 = r7
call bpf_ringbuf_discard_dynptr
call bpf_get_prandom_u32
r7 <<= 1
if r0 > 100 goto a2
r7 |= 1
a2:
r1 = rb ll
r2 = r7
r3 = 0
r4 = r10
r4 += -16
call bpf_ringbuf_reserve_dynptr
r1 = r10
r1 += -16
r2 = r7
call bpf_ringbuf_discard_dynptr
call bpf_get_prandom_u32
r7 <<= 1
if r0 > 100 goto a3
r7 |= 1
a3:
r1 = rb ll
r2 = r7
r3 = 0
r4 = r10
r4 += -16
call bpf_ringbuf_reserve_dynptr
r1 = r10
r1 += -16
r2 = r7
call bpf_ringbuf_discard_dynptr
call bpf_get_prandom_u32
r7 <<= 1
if r0 > 100 goto a4
r7 |= 1
a4:
r1 = rb ll
r2 = r7
r3 = 0
r4 = r10
r4 += -16
call bpf_ringbuf_reserve_dynptr
r1 = r10
r1 += -16
r2 = r7
call bpf_ringbuf_discard_dynptr
call bpf_get_prandom_u32
r7 <<= 1
if r0 > 100 goto a5
r7 |= 1
a5:
r1 = rb ll
r2 = r7
r3 = 0
r4 = r10
r4 += -16
call bpf_ringbuf_reserve_dynptr
r1 = r10
r1 += -16
r2 = r7
call bpf_ringbuf_discard_dynptr
call bpf_get_prandom_u32
r7 <<= 1
if r0 > 100 goto a6
r7 |= 1
a6:
r1 = rb ll
r2 = r7
r3 = 0
r4 = r10
r4 += -16
call bpf_ringbuf_reserve_dynptr
r1 = r10
r1 += -16
r2 = r7
call bpf_ringbuf_discard_dynptr
call bpf_get_prandom_u32
r7 <<= 1
if r0 > 100 goto a7
r7 |= 1
a7:
r1 = rb ll
r2 = r7
r3 = 0
r4 = r10
r4 += -16
call bpf_ringbuf_reserve_dynptr
r1 = r10
r1 += -16
r2 = r7
call bpf_ringbuf_discard_dynptr
call bpf_get_prandom_u32
r7 <<= 1
if r0 > 100 goto a8
r7 |= 1
a8:
r1 = rb ll
r2 = r7
r3 = 0
r4 = r10
r4 += -16
call bpf_ringbuf_reserve_dynptr
r1 = r10
r1 += -16
r2 = r7
call bpf_ringbuf_discard_dynptr
call bpf_get_prandom_u32
r7 <<= 1
if r0 > 100 goto a9
r7 |= 1
a9:
r1 = rb ll
r2 = r7
r3 = 0
r4 = r10
r4 += -16
call bpf_ringbuf_reserve_dynptr
r1 = r10
r1 += -16
r2 = r7
call bpf_ringbuf_discard_dynptr
r0 = 2
exit
