# kernel: accept
# kernel log: processed 33 insns (limit 1000000) max_states_per_insn 0 total_states 2 peak_states 2 mark_read 0
# type: sched_cls
# pkt_prune_id_unlinked.s with a variable part on both paths (each its own id, mapped one to
# the other by regsafe's check_ids): the second path is pruned at the join, by Linux 6.18 and
# by ours (33 processed).
	r2 = *(u32 *)(r1 + 0x4c)
	r3 = *(u32 *)(r1 + 0x50)
	r4 = *(u32 *)(r1 + 0x0)
	r0 = r2
	r0 += 0x1
	if r0 > r3 goto Lout
	r7 = 0x0
	r8 = 0x0
	r5 = r2
	if r4 > 0x10 goto Lother
	r4 &= 0x6
	r5 += r4
	goto Ljoin
Lother:
	r4 &= 0x2
	r5 += r4
Ljoin:
	r6 = r5
	r6 += 0x8
	if r6 > r3 goto Lout
	r0 = *(u8 *)(r5 + 0x0)
	r0 &= 0x1
	r7 += r0
	r0 = *(u8 *)(r5 + 0x1)
	r0 &= 0x1
	r7 += r0
	r0 = *(u8 *)(r5 + 0x2)
	r0 &= 0x1
	r7 += r0
Lout:
	r0 = 0x0
	exit
