# kernel: reject
# kernel log: verifier internal error: more than one arg with ref_obj_id R4 2 2
# (6.18: at most one argument of a helper call may hold a reference)
.map rb ringbuf key=0 value=0 max_entries=4096
r1 = rb ll
r2 = 16
r3 = 0
call bpf_ringbuf_reserve
if r0 == 0 goto out
r6 = r0
*(u64 *)(r6 + 0) = 0
*(u64 *)(r6 + 8) = 0
r1 = r6
r2 = 4
r3 = 0
r4 = r6
call bpf_strtol
r1 = r6
r2 = 0
call bpf_ringbuf_discard
out:
r0 = 2
exit
