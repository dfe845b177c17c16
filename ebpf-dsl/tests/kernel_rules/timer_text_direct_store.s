# kernel: reject
# type: sched_cls
# kernel log: bpf_timer cannot be accessed directly by load/store (a store into the timer of a `.map ... timer=8` value).
.map tm array key=4 value=24 max_entries=1 timer=8
*(u32 *)(r10 - 4) = 0
r2 = r10
r2 += -4
r1 = tm ll
call bpf_map_lookup_elem
if r0 == 0 goto out
*(u64 *)(r0 + 16) = 0
out:
r0 = 0
exit
