# kernel: accept
# since: 6.7
# type: sched_cls
# A static function throws on one path (a bpf_assert): the throw unwinds both frames; the
# other path returns to the caller.
r1 = *(u32 *)(r1 + 16)
call f
r0 = 0
exit
f:
if r1 != 8 goto ok
r1 = 16
call bpf_throw
ok:
r0 = r1
exit
