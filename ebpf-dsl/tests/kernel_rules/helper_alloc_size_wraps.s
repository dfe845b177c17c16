# kernel: reject
# kernel log: invalid access to memory, mem_size=0 off=0 size=8 / R0 min value is outside of the allowed memory range
# A size of 2^32 is 0 in the register's 32-bit mem_size: nothing of the reservation may be
# touched.
.map rb ringbuf key=0 value=0 max_entries=4096
r1 = rb ll
r2 = 0x100000000 ll
r3 = 0
call bpf_ringbuf_reserve
if r0 == 0 goto out
r1 = 7
*(u64 *)(r0 + 0) = r1
r1 = r0
r2 = 0
call bpf_ringbuf_discard
out:
r0 = 2
exit
