# kernel: accept
# kernel log: processed 2665 insns (limit 1000000) max_states_per_insn 65 total_states 166 peak_states 320 mark_read 0
# cb_each_outer_rounds_evicted.s with 69 outer rounds: accepted, 2,665 processed (as
# cb_loop_outer_rounds_69.s, the same walk with bpf_for_each_map_elem's call).
.map cbv array key=4 value=132 max_entries=1
	r6 = r1
	r2 = 0x0
	r1 = 0x0
	*(u64 *)(r10 - 0x20) = r1
	*(u32 *)(r10 - 0x4) = w2
	r2 = r10
	r2 += -0x4
	r1 = cbv ll
	call 0x1
	r8 = r0
	if r8 == 0x0 goto L40
	r1 = 0x2
	*(u64 *)(r10 - 0x20) = r1
	w9 = *(u32 *)(r6 + 0x10)
	r9 &= 0x7f
	if r9 == 0x0 goto L40
	r7 = 0x4
L18:
	r1 = 0x0
	*(u32 *)(r10 - 0x18) = w1
	w1 = *(u32 *)(r6 + 0xc)
	*(u32 *)(r10 - 0x14) = w1
	*(u64 *)(r10 - 0x10) = r8
	r3 = r10
	r3 += -0x18
	r1 = cbv ll
	r2 = L42 ll
	r4 = 0x0
	call 0xa4
	r1 = r8
	r1 += r7
	w2 = *(u32 *)(r10 - 0x18)
	*(u8 *)(r1 + 0x0) = w2
	r1 = r7
	r1 += -0x3
	if r1 >= r9 goto L40
	r7 += 0x1
	r2 = 0x45
	if r2 > r1 goto L18
L40:
	r0 = *(u64 *)(r10 - 0x20)
	exit
L42:
	r0 = 0x1
	w1 = *(u32 *)(r4 + 0x4)
	if r1 == 0x0 goto L51
	r1 += -0x1
	*(u32 *)(r4 + 0x4) = w1
	w1 = *(u32 *)(r4 + 0x0)
	r1 += 0x3
	*(u32 *)(r4 + 0x0) = w1
	r0 = 0x0
L51:
	exit
