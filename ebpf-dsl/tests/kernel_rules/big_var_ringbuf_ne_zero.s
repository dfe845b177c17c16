# kernel: reject
# kernel log: R1 invalid mem access 'scalar'
# target: 6.18
# A ring buffer record plus rx_queue_index (0..=0xffffffff, exactly the kernel's bounds: the
# exactness walk accepts the addition) compared with 0: like a map value pointer
# (jmp_ptr_big_var_ne_zero.s), 6.18 does not take it as known non-NULL and walks the `== 0`
# branch, whose load through a number is refused.
.map rb ringbuf key=0 value=0 max_entries=4096
r7 = *(u32 *)(r1 + 16)
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
