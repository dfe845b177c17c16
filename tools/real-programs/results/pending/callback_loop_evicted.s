# kernel: reject
# kernel log: BPF program is too large. processed 1000001 insns (limit 1000000) max_states_per_insn 65 total_states 46791 peak_states 102584 mark_read 0
# ours: accept (2,470 processed instructions, 144 checkpoints, 211 pruned): a false accept by
# complexity, found in dpit's TLS stage (README, session 18) and reduced to this: a loop of up
# to 70 rounds whose body calls bpf_loop (a callback counting down a ctx field and adding 3 to
# another). Up to 65 outer rounds both verifiers process the same counts (2,295 at 65); from 66
# the kernel processes more (2,377 against 2,330 at 66, 2,665 against 2,435 at 69) and at 70 it
# stops at its limit. Likely cause (not confirmed: the kernel's log does not show evictions;
# the threshold matches the rule's 64): the kernel evicts an unfinished state at a forced checkpoint (the
# bpf_loop call) once it has missed more than 64 × hits + 64 times (`is_state_visited`:
# `n = is_force_checkpoint(...) && sl->state.branches > 0 ? 64 : 3`, `list_del` whether or not
# the state has branches left), so the pending callback rounds of the early outer rounds, popped
# last, find no state to prune against and explore the rest of the loop again; ours only leaves
# such a checkpoint out of the comparison window (`prune.rs`'s `LOOP_HEAD_CHECK`) and prunes
# against it once it is finished. An experiment (session 18, not committed: such checkpoints
# counted a miss at every forced visit and evicted past 64 x hits + 64) makes ours run into the
# limit too, from 68 outer rounds on (2,354 processed at 66): the class is that eviction, the
# exact counting of the kernel's misses still to match (it stops only from 70).
# From `ebpf-dsl disasm` of this C (clang-19 -O2 -g -target bpf):
#   struct c { __u32 off; __u32 rem; char *v; };
#   static long cb(__u64 i, void *p) { struct c *x = p; if (x->rem == 0) return 1;
#       x->rem--; x->off += 3; return 0; }
#   SEC("xdp") int f(struct xdp_md *ctx) { __u32 key = 0; char *v = bpf_map_lookup_elem(&m, &key);
#       if (!v) return 0; __u32 n = ctx->rx_queue_index & 127;
#       for (__u32 i = 0; i < n && i < 70; i++) { struct c c = { .off = 0,
#           .rem = ctx->ingress_ifindex, .v = v }; bpf_loop(5000, cb, &c, 0); v[i + 4] = c.off; }
#       return 2; }
.map m array key=4 value=132 max_entries=1
	r6 = r1
	r2 = 0x0
	r1 = 0x0
	*(u64 *)(r10 - 0x20) = r1
	*(u32 *)(r10 - 0x4) = w2
	r2 = r10
	r2 += -0x4
	r1 = m ll
	call 0x1 # bpf_map_lookup_elem
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
	call 0xb5 # bpf_loop
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
