# kernel: accept
# kernel log: processed 531 insns (limit 1000000) max_states_per_insn 9 total_states 35 peak_states 85 mark_read 0
# Reduced from smartnic/bpf-profile's xdp_cuckoo_hash (tools/real-programs, session 28): a
# countdown loop whose body calls bpf_loop on one branch. A checkpoint of the loop compared
# once with its final marks keeps the copy of the location that refused; a later path reopens
# the loop's visit with the same call chain, so the checkpoint is incomplete again (compared
# with every location marked) when that copy refuses the next state. The refusal holds (every
# location is a superset of the marks it was made with); debug builds asserted the checkpoint
# complete and panicked here.
.map cnt percpu_array key=4 value=16408 max_entries=1
	r1 = 0x0
	*(u32 *)(r10 - 0x2c) = w1
	r2 = r10
	r2 += -0x2c
	r1 = cnt ll
	call 0x1
	r6 = r0
	if r6 == 0x0 goto L83
	r9 = 0xe
L20:
	w2 = *(u8 *)(r6 + 0x30f8)
	if r2 != 0x1 goto L41
L35:
	r9 += -0x1
	r1 = r9
	if r1 == 0x0 goto L83
	goto L20
L41:
	r1 = 0x10
	r3 = r10
	r3 += -0x28
	r2 = L84 ll
	r4 = 0x0
	call 0xb5
	goto L35
L83:
	r0 = 0x2
	exit
L84:
	r5 = *(u64 *)(r2 + 0x18)
	r0 = r5
	r0 &= 0x1
	exit
