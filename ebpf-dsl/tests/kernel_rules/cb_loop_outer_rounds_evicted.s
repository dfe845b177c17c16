# kernel: reject
# kernel log: BPF program is too large. processed 1000001 insns (limit 1000000) max_states_per_insn 65 total_states 46791 peak_states 102584 mark_read 0
# A loop of up to 70 rounds whose body calls bpf_loop (a callback counting down one ctx field
# and adding 3 to another), reduced from dpit's TLS stage (a false accept by complexity until
# session 19: we verified it in 2,470). The call is a forced checkpoint: each round of the
# outer loop stores an unfinished state there and counts a miss of every older one, and the
# kernel drops an unfinished state at a forced checkpoint after more than 64 x hits + 64
# misses (`is_state_visited`: `n = is_force_checkpoint(...) && sl->state.branches > 0 ? 64 :
# 3`), for good: it no longer prunes once finished and is no longer the state a callback's
# return widens against (`find_prev_entry`). Depth first, the early rounds' callbacks are
# explored last: from 66 rounds the first rounds' states are gone when their callbacks return,
# those rounds are explored again from the call (2,377 processed at 66, 2,665 at 69), and at
# 70 the re-explored rounds cascade into the limit. Ours kept such checkpoints (a window of the
# 64 newest compared, the older ones pruning again once finished); now it drops them as the
# kernel does (`verifier/prune_head.rs`) and processes the kernel's counts exactly for 6.18
# (which needs 6.18's byte-by-byte comparison of slots holding imprecise numbers: the callback
# leaves a 4-byte spill where another path has unknown bytes). Siblings:
# cb_loop_outer_rounds_69.s (accepted), cb_each_outer_rounds_evicted.s (bpf_for_each_map_elem).
# From `ebpf-dsl disasm` of this C (clang-19 -O2 -g -target bpf):
#   struct c { __u32 off; __u32 rem; char *v; };
#   static long cb(__u64 i, void *p) { struct c *x = p; if (x->rem == 0) return 1;
#       x->rem--; x->off += 3; return 0; }
#   SEC("xdp") int f(struct xdp_md *ctx) { __u32 key = 0; char *v = bpf_map_lookup_elem(&cbv, &key);
#       if (!v) return 0; __u32 n = ctx->rx_queue_index & 127;
#       for (__u32 i = 0; i < n && i < 70; i++) { struct c c = { .off = 0,
#           .rem = ctx->ingress_ifindex, .v = v }; bpf_loop(5000, cb, &c, 0); v[i + 4] = c.off; }
#       return 2; }
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
	r1 = 0x1388
	r2 = L42 ll
	r4 = 0x0
	call 0xb5
	r1 = r8
	r1 += r7
	w2 = *(u32 *)(r10 - 0x18)
	*(u8 *)(r1 + 0x0) = w2
	r1 = r7
	r1 += -0x3
	if r1 >= r9 goto L40
	r7 += 0x1
	r2 = 0x46
	if r2 > r1 goto L18
L40:
	r0 = *(u64 *)(r10 - 0x20)
	exit
L42:
	r0 = 0x1
	w1 = *(u32 *)(r2 + 0x4)
	if r1 == 0x0 goto L51
	r1 += -0x1
	*(u32 *)(r2 + 0x4) = w1
	w1 = *(u32 *)(r2 + 0x0)
	r1 += 0x3
	*(u32 *)(r2 + 0x0) = w1
	r0 = 0x0
L51:
	exit
