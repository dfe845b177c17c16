# kernel: accept
# target: 6.18
# The mirror of big_var_ringbuf_ne_zero.s with the offset masked to at most 0x1fffffff (below
# 2^29): 6.18 takes the record pointer as non-NULL, the `== 0` branch with its bad load is dead.
.map rb ringbuf key=0 value=0 max_entries=4096
r7 = *(u32 *)(r1 + 16)
r7 &= 0x1fffffff
r1 = rb ll
r2 = 16
r3 = 0
call bpf_ringbuf_reserve
if r0 == 0 goto out
r9 = r0
r4 = r0
r4 += r7
if r4 != 0 goto done
r1 = 0
r0 = *(u8 *)(r1 + 0)
done:
r1 = r9
r2 = 0
call bpf_ringbuf_discard
out:
r0 = 0
exit
