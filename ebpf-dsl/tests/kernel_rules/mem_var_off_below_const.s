# kernel: accept
# Ring buffer memory (PTR_TO_MEM) moved by a variable 16..=31 and then by the constant -16:
# `check_mem_region_access` checks the lowest byte at the constant offset plus the variable
# part's minimum (-16 + 16 = 0) and the highest at the offset plus its maximum (-16 + 31 + 1 =
# 16 of 64), so the store is in bounds. A verifier that takes the constant offset alone as the
# lowest byte refuses it (found by the pointer fuzzer, seed 1224002, a ring buffer record).
.map rb ringbuf key=0 value=0 max_entries=4096
r6 = *(u32 *)(r1 + 16)
r6 &= 15
r6 |= 16
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
