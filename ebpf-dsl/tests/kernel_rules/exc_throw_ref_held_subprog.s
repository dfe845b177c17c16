# kernel: reject
# type: sched_cls
# kernel log: Unreleased reference id=2 alloc_insn=9 / bpf_throw would lead to reference leak. The reference
# taken by the main program is still held when a static function it calls throws.
r6 = r1
*(u64 *)(r10 - 8) = 0
*(u64 *)(r10 - 16) = 0
r1 = r6
r2 = r10
r2 += -16
r3 = 12
r4 = -1
r5 = 0
call bpf_sk_lookup_tcp
if r0 == 0 goto out
r6 = r0
r1 = 3
call f
r1 = r6
call bpf_sk_release
out:
r0 = 0
exit
f:
r1 = 9
call bpf_throw
r0 = 0
exit
