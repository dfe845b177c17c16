# kernel: accept
# kernel log: processed 43 insns (limit 1000000) max_states_per_insn 1 total_states 2 peak_states 2 mark_read 0
# type: sched_cls
# A packet pointer with a variable part (an id: a range learnt through one pointer of the
# id reaches the others) reaches a join first; the other path brings the same pointer with
# no variable part (no id). Linux 6.18's regsafe compares packet pointers' ids with
# check_ids, which wants both set or both unset: the second path is not pruned at the join
# (43 processed, its three reads walked again). Ours mapped the old id to "none" and pruned
# it (30 processed); no unsound prune is known from that (a packet pointer of ours with a
# variable part always has an id, so two old pointers of one id cover only one new pointer
# without), but the count was not the kernel's: bpf-examples' preserve-dscp read_dscp went
# from 12,132 to the kernel's 33,793 with the kernel's rule. Sibling:
# pkt_prune_id_both_linked.s (both paths linked: pruned).
	r2 = *(u32 *)(r1 + 0x4c)
	r3 = *(u32 *)(r1 + 0x50)
	r4 = *(u32 *)(r1 + 0x0)
	r0 = r2
	r0 += 0x1
	if r0 > r3 goto Lout
	r7 = 0x0
	r8 = 0x0
	r5 = r2
	if r4 > 0x10 goto Ljoin
	r4 &= 0x4
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
