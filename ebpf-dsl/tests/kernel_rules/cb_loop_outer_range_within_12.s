# kernel: accept
# kernel log: processed 2132 insns (limit 1000000) max_states_per_insn 15 total_states 159 peak_states 352 mark_read 0
# cb_loop_outer_range_within.s with 12 rounds instead of 40: Linux 6.18 compares every state
# of the loop by range once the callback's first round has converged (a backedge in the
# loop's SCC visit), so the path with the other value of the branch after the call is not
# pruned at the join; it processes 2,132 (78 at 2 rounds, 720 at 8, 6,195 at 16), as ours
# does for 6.18 (346 before: ours pruned it by the checkpoint's marks).
.map cbv array key=4 value=8 max_entries=1
	r6 = r1
	r2 = 0x0
	*(u32 *)(r10 - 0x4) = w2
	r2 = r10
	r2 += -0x4
	r1 = cbv ll
	call 0x1
	if r0 == 0x0 goto Lexit
	r8 = r0
	r7 = 0x0
Lloop:
	r1 = 0x0
	*(u64 *)(r10 - 0x18) = r1
	r1 = 0x10
	r2 = Lcb ll
	r3 = r10
	r3 += -0x18
	r4 = 0x0
	call 0xb5
	w1 = *(u32 *)(r8 + 0x0)
	r2 = 0x0
	if r1 > 0x5 goto Lb
	r2 = 0x1
Lb:
	*(u64 *)(r10 - 0x20) = r2
	r7 += 0x1
	if r7 < 0xc goto Lloop
Lexit:
	r0 = 0x0
	exit
Lcb:
	r0 = 0x0
	exit
