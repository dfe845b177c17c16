# kernel: reject
# kernel log: R4 min value is outside of the allowed memory range
# As mem_var_off_below_const.s with a variable part of 8..=15: its minimum plus the constant
# offset -16 is -8, below the record.
.map rb ringbuf key=0 value=0 max_entries=4096
r6 = *(u32 *)(r1 + 16)
r6 &= 7
r6 |= 8
r1 = rb ll
r2 = 64
r3 = 0
call bpf_ringbuf_reserve
if r0 == 0 goto out
r4 = r0
r4 += r6
r4 -= 16
r5 = 1
*(u8 *)(r4 + 0) = r5
r1 = r0
r2 = 0
call bpf_ringbuf_discard
out:
r0 = 2
exit
