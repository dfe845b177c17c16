# kernel: accept
# type: sched_cls
# A zero-size memory argument at the end of the proven range (data + 4 after `data + 4 <=
# data_end`): off + 0 <= range.
r6 = *(u32 *)(r1 + 76)
r7 = *(u32 *)(r1 + 80)
r1 = r6
r1 += 4
if r1 > r7 goto out
r2 = 0
r3 = 0
r4 = 0
r5 = 0
call bpf_csum_diff
out:
r0 = 0
exit
