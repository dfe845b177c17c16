# kernel: reject
# kernel log: BPF program is too large. processed 1000001 insns (limit 1000000) max_states_per_insn 43 total_states 78631 peak_states 179318 mark_read 0
# A loop of 40 rounds around a bpf_loop call, with a number the path branches on and spills
# after the call (imprecise: nothing bounds or decides with it), reduced from dpit's TLS stage
# (a false accept by complexity until session 20: we verified this one in 1,158). Linux 6.18
# keys a visit of a strongly connected component by the call chain (the loop here, which the
# callback's frames share through their call site), records a backedge in it when a state
# whose marks may still grow prunes a path (the first callback round converging at the call),
# and while the visit has backedges compares *every* state of the loop `RANGE_WITHIN`
# (`incomplete_read_marks`), precise or not, until the visit's first state is explored: the
# path with the other value of the branch is not pruned at the join, and each round doubles
# the paths until the limit. Ours compared by marks unless a loop head above had itself
# pruned a later round (`verifier/prune_scc.rs` now keeps the kernel's visits); the count
# also needs the finished checkpoints compared newest first (a prune by a newer one counts no
# miss of the older ones). Sibling: cb_loop_outer_range_within_12.s (accepted, exact count).
#   for (i = 0; i < 40; i++) {
#       bpf_loop(16, cb, &ctx, 0);            /* cb returns 0 */
#       x = v[0] > 5 ? 0 : 1;                 /* v: a map value */
#       *(u64 *)(fp - 0x20) = x;
#   }
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
	if r7 < 0x28 goto Lloop
Lexit:
	r0 = 0x0
	exit
Lcb:
	r0 = 0x0
	exit
