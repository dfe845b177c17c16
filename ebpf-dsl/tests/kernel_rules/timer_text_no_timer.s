# kernel: reject
# type: sched_cls
# kernel log: map 'tm' has to have BTF in order to use bpf_timer (a `.map` without `timer=`: no BTF, no timer).
.map tm array key=4 value=24 max_entries=1
*(u32 *)(r10 - 4) = 0
r2 = r10
r2 += -4
r1 = tm ll
call bpf_map_lookup_elem
if r0 == 0 goto out
r1 = r0
r1 += 8
r2 = tm ll
r3 = 1
call bpf_timer_init
out:
r0 = 0
exit
