# kernel: reject
# type: sched_cls
# kernel log: off 0 doesn't point to 'struct bpf_timer' that is at 8 (the timer declared with `timer=8`, the pointer at the value's start).
.map tm array key=4 value=24 max_entries=1 timer=8
*(u32 *)(r10 - 4) = 0
r2 = r10
r2 += -4
r1 = tm ll
call bpf_map_lookup_elem
if r0 == 0 goto out
r1 = r0
r2 = tm ll
r3 = 1
call bpf_timer_init
out:
r0 = 0
exit
