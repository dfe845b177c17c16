# kernel: accept
# since: 6.6
# A ring buffer record, once null-checked, compared with 0 again: never 0 (`reg_not_null` with
# `PTR_TO_MEM`), so the load through the uninitialised r9 is dead. 6.1.192's
# `reg_type_not_null` knows only socket and map value pointers.
.map rb ringbuf key=0 value=0 max_entries=4096
r1 = rb ll
r2 = 8
r3 = 0
call bpf_ringbuf_reserve
if r0 == 0 goto out
r6 = r0
if r6 != 0 goto ok
r0 = *(u64 *)(r9 + 0)
ok:
r1 = r6
r2 = 0
call bpf_ringbuf_discard
out:
r0 = 2
exit
