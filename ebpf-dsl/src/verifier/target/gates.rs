//! The gates: each rule the kernel learnt after 6.1, as the first release that has it.

use super::{Backported, KernelVersion};

impl KernelVersion {
    /// Array lookups with a constant in-bounds key are non-NULL (`can_elide_value_nullness`).
    pub const CONST_KEY_LOOKUP: KernelVersion = KernelVersion::since(6, 14);
    /// The numbers iterator's kfuncs (`bpf_for`) may be called while a `bpf_spin_lock` is held
    /// (`kfunc_spin_allowed`: `is_bpf_iter_num_api_kfunc`; in the 6.18 reference kernel, not
    /// in 6.12.118's source).
    pub const ITER_NUM_UNDER_LOCK: KernelVersion = KernelVersion::since(6, 18);
    /// A map pointer is never NULL (`CONST_PTR_TO_MAP` in `reg_not_null`; in 6.12.118's
    /// source, not known for 6.6).
    pub const MAP_PTR_NOT_NULL: KernelVersion = KernelVersion::since(6, 12);
    /// `==` and `!=` are decided by the known bits too (`tnum_overlap`). Upstream "bpf: Use
    /// tnums for JEQ/JNE is_branch_taken logic" (in the 6.18 reference kernel; its mainline
    /// release is not pinned down here: gated at 6.18); in 6.12 from 6.12.58 (Debian's
    /// 6.12.118 changelog), so an earlier 6.12.y decides them by the ranges only.
    pub const TNUM_BRANCH: Backported = Backported {
        mainline: KernelVersion::since(6, 18),
        stable: &[KernelVersion::with_patch(6, 12, 58)],
    };
    /// A 64-bit `==` / `!=` the 64-bit ranges leave open is decided by the 32-bit bounds
    /// (`is_scalar_branch_taken`; in 6.12.118's source and the 6.18 reference kernel, not
    /// known for 6.6).
    pub const SUBREG_EQ_BRANCH: KernelVersion = KernelVersion::since(6, 12);
    /// A register compared with itself (`if r1 < r1`) is narrowed on the branch that holds
    /// (`regs_refine_cond_op` on one state: `[0, u32::MAX]` becomes `[1, u32::MAX - 1]`; in
    /// 6.12.118's source and the 6.18 reference kernel, not known for 6.6).
    pub const SAME_REG_NARROW: KernelVersion = KernelVersion::since(6, 12);
    /// A multiplication keeps a range computed from the products of the operands' bounds
    /// (`scalar_min_max_mul` / `scalar32_min_max_mul` with overflow checks, upstream in 6.14).
    /// Before it the kernel keeps a range only when both operands are not negative and at
    /// most U32_MAX (64-bit) or U16_MAX (32-bit): "Ain't nobody got time to multiply that
    /// sign" in 6.12.118's source; otherwise only the known bits.
    pub const MUL_PRODUCTS: KernelVersion = KernelVersion::since(6, 14);
    /// A 32-bit multiplication keeps signed 32-bit bounds whatever the operands' signs (the
    /// products of the bounds when none overflows: `scalar32_min_max_mul`; seen on 6.18.44,
    /// `w0 *= -4` of 0..=7 is -28..=0; 6.12.118's source forgets them for a negative operand).
    /// A 64-bit one bounds its low half the same way (unsigned and signed products of the
    /// operands' 32-bit bounds: `scalar32_min_max_mul` runs for either width). The same
    /// upstream patch as [`KernelVersion::MUL_PRODUCTS`] ("bpf, verifier: Improve precision of
    /// BPF_MUL", bpf-next December 2024: it rewrites `scalar32_min_max_mul` with the four
    /// signed products and `scalar_min_max_mul` together), so 6.14 (it was gated at 6.18: a
    /// false reject for 6.14-6.17).
    pub const SIGNED_MUL32: KernelVersion = KernelVersion::since(6, 14);
    /// The known bits of a product are the shift-and-add `tnum_mul` alone (an uncertain bit of
    /// one operand giving the union of adding the other or not; seen on 6.18.44: `r7 *=
    /// 0x7fffffff` of 1..=15 odd has the low half 0x7ffffff1 with mask 0xe). The older
    /// partial-products algorithm (6.1.192's `tnum_mul`) knows other bits, neither always
    /// more: before this gate the union of both. Upstream most likely in 6.17 (no 6.17
    /// source read): gated at 6.18, the kernel checked.
    pub const TNUM_MUL_SHIFT_ADD: KernelVersion = KernelVersion::since(6, 18);
    /// A direct load of a referenced kptr to a program's own struct gives an RCU-protected
    /// non-owning reference (`btf_ld_kptr_type`: `MEM_ALLOC | MEM_RCU`, `NON_OWN_REF` for a
    /// struct with a graph node; in 6.12.118's source and the 6.18 reference kernel, not
    /// known for 6.6: before, such a load is refused as not modelled).
    pub const LOCAL_KPTR_LOAD: KernelVersion = KernelVersion::since(6, 12);
    /// The value a linked copy with a delta gets after a comparison (`sync_linked_regs`) is
    /// made consistent (`reg_bounds_sync`; 6.18.44 does it, checked with the rule case
    /// `link_delta_sum_synced`; 6.12.118's source does not; the first release between them
    /// that does is not pinned down). Before: each range and the known bits get the delta
    /// apart, and the copy's next comparison is decided by those.
    pub const LINK_SUM_SYNC: KernelVersion = KernelVersion::since(6, 18);
    /// The socket lookups (`bpf_sk_lookup_tcp`, `_udp`, `bpf_skc_lookup_tcp`) take a tuple
    /// size of 0 (`ARG_CONST_SIZE_OR_ZERO`); before, `ARG_CONST_SIZE` ("invalid zero-sized
    /// read", measured on Debian's 6.1.192 in QEMU, tools/kernel-vm/; 6.12.118 accepts). The
    /// first release between them is not pinned down: 6.12, the first measured.
    pub const SK_LOOKUP_SIZE_ZERO: KernelVersion = KernelVersion::since(6, 12);
    /// `bpf_loop` explores no more rounds of its callback than its count allows, none for a
    /// count of 0 (`callback_depth`); before, the callback is explored whatever the count and
    /// its return value checked ("At callback return the register R0 has value (0x2; 0x0)
    /// should have been in (0x0; 0x1)", measured on Debian's 6.1.192 in QEMU,
    /// tools/kernel-vm/; 6.12.118 accepts). Upstream "bpf: keep track of max number of
    /// bpf_loop callback iterations", first released in 6.7 and taken by the 6.6 line as
    /// audited (6.6.47; the 6.6.y release that got it is not pinned down). Not stricter either
    /// way: a callback never explored is dead code the kernel removes
    /// (`cb_loop_count_zero_with_subprog`).
    pub const LOOP_COUNT_ROUNDS: KernelVersion = KernelVersion::since(6, 6);
    /// A map key or value given to a helper in memory such as a ring buffer reservation
    /// (`PTR_TO_MEM | MEM_RINGBUF` in `map_key_value_types`); before, only the stack, the
    /// packet or a map value ("R2 type=alloc_mem expected=fp, pkt, pkt_meta, map_key,
    /// map_value", measured on Debian's 6.1.192 in QEMU, tools/kernel-vm/; 6.12.118 accepts).
    /// Upstream "bpf: Allow ringbuf memory to be used as map key", first released in 6.2.
    pub const MEM_MAP_KEY: KernelVersion = KernelVersion::since(6, 2);
    /// A store of a constant (`BPF_ST`) into the context; before, "BPF_ST stores into R1 ctx
    /// is not allowed" (measured on Debian's 6.1.192 in QEMU, tools/kernel-vm/; 6.12.118
    /// accepts). Upstream "bpf: allow ctx writes using BPF_ST_MEM instruction", first
    /// released in 6.4.
    pub const ST_CTX: KernelVersion = KernelVersion::since(6, 4);
    /// `bpf_snprintf`'s output buffer (`arg1`) and `bpf_fib_lookup`'s parameters (`arg2`) are
    /// memory the helper writes (`MEM_WRITE` in their protos): a value of a map read-only for
    /// programs is refused there ("write into map forbidden"), and the stack bytes are
    /// clobbered. Before, both protos say `ARG_PTR_TO_MEM` (`_OR_NULL`) without `MEM_WRITE`
    /// (6.12.118's source; 6.1.192's, whose `check_helper_mem_access` takes a write from
    /// `raw_mode` alone, read), so the kernel checks them as reads: Debian's 6.1.192 and
    /// 6.12.118 accept the rule case `helper_snprintf_rodata_out` (measured in QEMU,
    /// tools/kernel-vm/). The first release between 6.12 and 6.18 is not pinned down.
    pub const HELPER_MEM_WRITE: KernelVersion = KernelVersion::since(6, 18);
    /// Stricter: `bpf_dynptr_slice_rdwr` is refused ("bpf_dynptr_slice_rdwr() is not
    /// allowed", 6.18.44, from XDP and tc alike). Before, a program that may write the packet
    /// (`may_access_direct_pkt_data` for `BPF_WRITE`: XDP, tc) gets a writable slice of an
    /// XDP or skb dynptr (6.12.118's `check_kfunc_call`, read; Debian's 6.12.118 accepts the
    /// rule cases `dynptr_slice_rdwr` and `dynptr_slice_rdwr_skb`, measured in QEMU,
    /// tools/kernel-vm/); the first release between them that refuses it is not pinned down.
    pub const SLICE_RDWR_REFUSED: KernelVersion = KernelVersion::since(6, 18);
    /// Stricter: a global function's argument tagged `__arg_nonnull` refuses the constant 0
    /// too (6.18.44: "arg#0 is expected to be non-NULL"). Before, `check_mem_reg` lets a
    /// register that is 0 through (`register_is_null`) and only a pointer that may be NULL is
    /// refused (6.12.118's `btf_check_func_arg_match`, read; Debian's 6.12.118 accepts the
    /// rule case `global_null_to_nonnull`, measured in QEMU, tools/kernel-vm/; before 6.12
    /// the tag is ignored, [`KernelVersion::GLOBAL_ARG_TAGS`]). The first release between
    /// 6.12 and 6.18 that refuses it is not pinned down.
    pub const NONNULL_REFUSES_ZERO: KernelVersion = KernelVersion::since(6, 18);
    /// The target lines for which a program refused only by the 2^29 doubt (an offset whose
    /// maximum reaches 2^29, [`crate::verifier::exact`]) is walked a second time with the exactness
    /// marks, deciding as the kernel decides: 6.18 ([`crate::verifier::exact::EXACT_TARGET`], checked
    /// live by the oracle and the fuzzers) and 6.12, measured against Debian's 6.12.118 in
    /// QEMU (tools/kernel-vm/: the rule cases, 35 false rejects fewer and no false accept; the
    /// offset and big-pointer fuzzers, no false accept). Not 6.1: there the offset fuzzer
    /// found a false accept (6.1.192 keeps the link of a 4-byte spill and fill of a `u32`,
    /// `check_stack_read_fixed_off` copying the register, which the 6.1 target does not
    /// model, so its marks are not the kernel's bounds); nor 6.6 and 6.13-6.17, not measured.
    pub const EXACT_WALK_LINES: &'static [KernelVersion] =
        &[KernelVersion::new(6, 12), KernelVersion::new(6, 18)];
    /// Stricter: a packet pointer marked at or past `data_end` (`AT_PKT_END` /
    /// `BEYOND_PKT_END`, a negative `range`) loses the mark when a constant is added or
    /// subtracted (6.18.44, a soundness fix; the selftests `pkt_range_clear_after_add` /
    /// `_sub`). Before, `adjust_ptr_min_max_vals` copies the mark with the pointer
    /// (`dst_reg->raw = ptr_reg->raw` for a known offset: 6.1.192's and 6.12.118's source,
    /// read), so the moved pointer's next comparison with `data_end` is still decided: Debian's
    /// 6.1.192 and 6.12.118 accept the rule cases `pkt_end_at_cleared_by_arith` and
    /// `pkt_end_beyond_cleared_by_arith` (measured in QEMU, tools/kernel-vm/). The first
    /// release between 6.12 and 6.18 that clears it is not pinned down.
    pub const PKT_END_MARK_CLEARED: KernelVersion = KernelVersion::since(6, 18);
    /// A function of the program (not a global one) called while a `bpf_spin_lock` is held,
    /// and returning with it held; before, "function calls are not allowed while holding a
    /// lock" and, at a function's `exit`, "bpf_spin_unlock is missing" (measured on Debian's
    /// 6.1.192 in QEMU, tools/kernel-vm/; 6.12.118 accepts both). Upstream "bpf: Allow
    /// calling static subprogs while holding a bpf_spin_lock", first released in 6.9.
    pub const STATIC_CALL_UNDER_LOCK: KernelVersion = KernelVersion::since(6, 9);
    /// `ld_imm64` of a kernel function's BTF `FUNC` (`BPF_PSEUDO_BTF_ID`: its address, as
    /// read-only memory of 0 bytes); before, only a `VAR` ("pseudo btf_id N in ldimm64 isn't
    /// KIND_VAR", measured on Debian's 6.1.192 in QEMU, tools/kernel-vm/; 6.12.118 accepts).
    /// Upstream "bpf: Allow ld_imm64 instruction to point to kfunc", first released in 6.2.
    pub const KSYM_FUNC: KernelVersion = KernelVersion::since(6, 2);
    /// A number read through a kernel structure's pointer past a flexible array's step may run
    /// over the end of the member it starts in (`struct btf_record`'s `fields[]`): 6.18
    /// allows it, Debian's 6.12.118 refuses it ("access beyond the end of member"; measured in
    /// QEMU, tools/kernel-vm/); the first release between them is not pinned down.
    pub const FLEX_STRADDLE: KernelVersion = KernelVersion::since(6, 18);
    /// `wX = wY` of a number whose value fits in 32 bits, and a sign-extending move
    /// (`rX = (s8)rY`, ...) of one the extension leaves unchanged, keep the copy linked to its
    /// source (`check_alu_op`: `is_src_reg_u32`, `no_sext`, in 6.6.47's source (read) as in
    /// 6.12.118's); 6.1.192's `check_alu_op` clears the id of a 32-bit move's copy (and has no
    /// sign-extending move). Not pinned down between them.
    pub const MOV32_LINK: KernelVersion = KernelVersion::since(6, 6);
    /// Narrow fills keep a spilled number's bounds (`bpf_stack_narrow_access_ok`), spills and
    /// fills and 32-bit moves of a value that fits keep its link to its copies, and a spill
    /// of a number with no link gives it one (`assign_scalar_id_before_mov`). A link the number
    /// already has is older: 6.1.192's `save_register_state` copies the id into a narrow
    /// spill of a number that fits (`fls64(umax)` within the store) and a fill of the same size
    /// copies it back (measured in QEMU: `link_spill32_kept_narrows`, the offset fuzzer's seed
    /// 777 program #4451), on every target here.
    pub const NARROW_FILL: KernelVersion = KernelVersion::since(6, 12);
    /// A narrow spill (`*(u32 *)(r10 - 8) = r1`) of a linked number is refined with its copies
    /// when a comparison narrows one of them (`sync_linked_regs` walks every spilled register:
    /// `bpf_get_spilled_reg` tests the slot's last byte, in 6.12.118's source). 6.1.192's
    /// `find_equal_scalars` sees only a full 8-byte spill (`bpf_get_spilled_reg` tests the
    /// first byte, which a narrow spill leaves `STACK_MISC`): the narrow spill keeps its link
    /// and its old bounds (measured in QEMU: `link_spill32_narrow_not_refined` is refused by
    /// 6.1.192, "R0 unbounded memory access"; `link_spill64_refined` loads). The release
    /// between them that changed it is not pinned down here.
    pub const NARROW_SPILL_SYNC: KernelVersion = KernelVersion::since(6, 12);
    /// A 4-byte fill of a 4-byte spill of a number wider than 4 bytes has bounds that agree
    /// with its known bits (`coerce_reg_to_size` ends with `reg_bounds_sync` in 6.12.118's
    /// source). 6.1.192's returns for a size of 4 before any synchronisation: the truncated
    /// known bits, 64-bit ranges of `0..=u32::MAX` where the bounds' upper halves differ, the
    /// 32-bit bounds left alone, so a comparison is decided by those wide ranges only (measured
    /// in QEMU: `stack_fill32_wide_unsynced`, the offset fuzzer's seed 4242 program #1318 and seed 3
    /// program #3378); older targets get `Exec::fill32_unsynced`. The release between them
    /// that changed it is not pinned down here.
    pub const FILL32_SYNC: KernelVersion = KernelVersion::since(6, 12);
    /// `rX = rY; rX += c` keeps rX linked to rY with the delta c (`BPF_ADD_CONST`).
    pub const LINK_DELTA: KernelVersion = KernelVersion::since(6, 12);
    /// Links also through `rX -= c`, negative constants and 32-bit `wX += c`
    /// (`BPF_ADD_CONST32`).
    pub const LINK_DELTA_SUB: KernelVersion = KernelVersion::since(6, 18);
    /// Byte swaps are tracked (`scalar_byte_swap`).
    pub const BSWAP_TRACKING: KernelVersion = KernelVersion::since(6, 18);
    /// `rX = -rX` is tracked (bounds and known bits of the negation, as `0 - rX`); 6.12's
    /// `check_alu_op` makes the result unknown. Upstream aced132599b3 "bpf: Add range tracking
    /// for BPF_NEG" (Song Liu, 2025-06-25, bpf-next after the 6.16 merge window): the kernel
    /// test robot's report of 2025-08-22 finds it in torvalds/linux.git master, and syzbot's
    /// bisection of 2025-09 finds it in the bpf tree at `probes-fixes-v6.17-rc7`; so 6.17.
    pub const NEG_TRACKING: KernelVersion = KernelVersion::since(6, 17);
    /// `rX <<= 32` keeps the signed range of the low half shifted up whatever its sign
    /// (`__scalar64_min_max_lsh`, upstream d18dec4b8990 in 6.19, backported: in 6.12 from
    /// 6.12.75, Debian's 6.12.118 changelog; in the 6.18.44 reference kernel, the first 6.18.y
    /// with it not pinned down); before, only a bound that is not negative. In 6.1 from
    /// 6.1.165 ("bpf: verifier improvement in 32bit shift sign extension pattern" under that
    /// update in Debian's 6.1.192 changelog; 6.1.192's `__scalar64_min_max_lsh` is 6.12.118's,
    /// read), and Debian's 6.1.192 accepts the rule case `alu_lsh32_sext_negative` (measured
    /// in QEMU, tools/kernel-vm/).
    pub const LSH32_SIGNED: Backported = Backported {
        mainline: KernelVersion::since(6, 19),
        stable: &[
            KernelVersion::with_patch(6, 1, 165),
            KernelVersion::with_patch(6, 12, 75),
            KernelVersion::with_patch(6, 18, 44),
        ],
    };
    /// A branch whose unsigned range holds one value of the known bits makes the number
    /// that constant (`__update_reg64_bounds` with `tnum_step`).
    pub const TNUM_SINGLE: KernelVersion = KernelVersion::since(6, 18);
    /// A branch whose refinement leaves a register no value is walked with the known bits
    /// `reg_bounds_sync` leaves and unbounded ranges where `reg_bounds_sanity_check` fails
    /// (`__mark_reg_unbounded`, which keeps `var_off`; 6.12.118's source; upstream since 6.7,
    /// but the 6.6 target follows 6.1.192, which has no such check: an unknown number here).
    /// Before, this verifier makes an unknown number of it, which 6.12 to 6.17 do not: a
    /// later comparison of it that no value takes either is walked by them with those bits,
    /// by this verifier with a range that may prove what the kernel does not
    /// (`jmp_same_reg_violation_made_up_612`).
    pub const BOUNDS_SANITY: KernelVersion = KernelVersion::since(6, 12);
    /// A 64-bit sign extension (`rX = (sN)rY`, `*(sN *)` fills) of a number whose signed 32-bit
    /// bounds already fit in N bits keeps its 32-bit bounds and is their sign extension (seen
    /// on 6.18.44: `(s16)` of a u32 with s32 bounds -1..=0 is -1..=0; 6.12 gives any s16).
    pub const SEXT_FITS: KernelVersion = KernelVersion::since(6, 18);
    /// Load-acquire and store-release (`BPF_LOAD_ACQ`, `BPF_STORE_REL` in `check_atomic`);
    /// older kernels refuse the `imm` (`BPF_ATOMIC uses invalid atomic opcode`).
    pub const LOAD_ACQ_STORE_REL: KernelVersion = KernelVersion::since(6, 15);
    /// `bpf_get_smp_processor_id` returns a number in `0..nr_cpu_ids` (`do_refine_retval_range`;
    /// present in 6.12, perhaps earlier).
    pub const SMP_ID_RANGE: KernelVersion = KernelVersion::since(6, 12);
    /// 6.18: a comparison collects the linked copies among the registers live before it (and
    /// the spilled ones) only (`collect_linked_regs` with `live_regs_before`); 6.12 collects
    /// every register, so more copies pass the limit of 6 and lose their link.
    pub const LINKED_LIVE_ONLY: KernelVersion = KernelVersion::since(6, 18);
    /// `&=` / `|=` a constant on a number in [-1, 0] verifies the two values apart
    /// (`maybe_fork_scalars`: the path goes on with -1, a copy with 0). In the 6.18
    /// reference kernel; in 6.12 from 6.12.75 ("bpf: Recognize special arithmetic shift in
    /// the verifier", `&=` only) and 6.12.80 (its fix for `|=`), Debian's 6.12.118 changelog;
    /// 6.12.118's `maybe_fork_scalars` is the same function (read), so the 6.12 target forks
    /// as 6.18 does (it was gated at 6.18: a false reject for 6.12).
    pub const FORK_SCALARS: Backported = Backported {
        mainline: KernelVersion::since(6, 18),
        stable: &[KernelVersion::with_patch(6, 12, 80)],
    };
    /// After verifying, the kernel inlines `bpf_map_lookup_elem` on a per-CPU array or hash
    /// too (`percpu_array_map_gen_lookup`, `htab_percpu_map_gen_lookup`, upstream 6.10, not
    /// read: gated at 6.12, whose inline lookups are counted as none before). Only the
    /// jumps' 16-bit range after the rewrites depends on it (`super::jump_range`).
    pub const PERCPU_LOOKUP_INLINE: KernelVersion = KernelVersion::since(6, 12);
    /// A path whose instruction history since its last checkpoint is longer than 40 entries
    /// stores a checkpoint at its next prune point (`is_state_visited`'s `force_new_state`,
    /// 6.13, in 6.12.118; not in 6.1.192): only the instructions processed change (the
    /// verdict at the limit of 1,000,000), see `verifier/history.rs`.
    pub const LONG_HISTORY_CHECKPOINT: KernelVersion = KernelVersion::since(6, 12);
    /// A finished checkpoint compares every register live before its instruction (the static
    /// `live_regs_before`), read below it or not: 6.18 dropped the registers' read marks
    /// (`REG_LIVE_READ`; its log prints no `_r` / `_w`). Only the instructions processed
    /// change (the verdict at the limit of 1,000,000); see `verifier/prune.rs`.
    pub const STATIC_REG_LIVENESS: KernelVersion = KernelVersion::since(6, 18);
    /// A finished checkpoint compares the stack slots some path of the control-flow graph from
    /// its instruction may read before writing them whole (`kernel/bpf/liveness.c`), not
    /// those the paths below it read: only the instructions processed change; see
    /// `verifier/stack_live.rs`.
    pub const STATIC_STACK_LIVENESS: KernelVersion = KernelVersion::since(6, 18);
    /// `bpf_rbtree_remove` (and 6.16's `bpf_rbtree_left` / `_right`) take a node the program
    /// owns as well as a non-owning one ("can only take non-owning or refcounted bpf_rb_node
    /// pointer"): the run time checks that the node is in the tree.
    pub const RBTREE_OWNED_NODE: KernelVersion = KernelVersion::since(6, 16);

    /// The `-mcpu=v4` instructions (sign-extending moves and loads, signed division and
    /// modulo, unconditional byte swaps, `gotol`): merged for 6.6 ("bpf: Support new
    /// sign-extension load insns" and the rest of the cpu v4 series, July 2023); 6.1.192's
    /// `check_alu_op` refuses a non-zero `off` (`BPF_ALU uses reserved fields`) and its
    /// `check_mem_access` knows no `BPF_MEMSX`.
    pub const CPU_V4: KernelVersion = KernelVersion::since(6, 6);
    /// `gotol` (`BPF_JMP32 | BPF_JA`, the 32-bit offset in `imm`), the one `-mcpu=v4`
    /// instruction the 6.1 line has: "bpf: Support new 32bit offset jmp instruction" was
    /// backported to 6.1.72 (Debian's 6.1.192 changelog, under the 6.1.72 update; 6.1.192's
    /// `do_check` takes `insn->imm` for a `BPF_JMP32` `BPF_JA`, read), and Debian's 6.1.192
    /// accepts it (the rule case `cpu_v4_gotol`, measured in QEMU, tools/kernel-vm/). Before:
    /// `BPF_JA uses reserved fields`.
    pub const GOTOL: Backported = Backported {
        mainline: KernelVersion::CPU_V4,
        stable: &[KernelVersion::with_patch(6, 1, 72)],
    };

    /// `may_goto` (`BPF_JMP | BPF_JCOND`): "bpf: Introduce may_goto instruction" was posted and
    /// applied to bpf-next on 2024-03-06 (lore 20240306031929.42666), days before 6.8's release
    /// (2024-03-10), so its first release is 6.9; 6.1.192's `check_cond_jmp_op` refuses the
    /// opcode.
    pub const MAY_GOTO: KernelVersion = KernelVersion::since(6, 9);
    /// After verifying, x86-64 rewrites `may_goto` into the timed form (the count's test, its
    /// decrement and a call of `arch_bpf_timed_may_goto`: 7 instructions, and 2 stores at its
    /// function's start; "bpf: Add support for timed may_goto", upstream 6.15): seen on
    /// 6.18.44; older targets count the plain form's 4 and 1 (a lower bound). Only the jumps'
    /// 16-bit range after the rewrites depends on it (`super::jump_growth`).
    pub const TIMED_MAY_GOTO: KernelVersion = KernelVersion::since(6, 18);
    /// The process and cgroup helpers (`bpf_get_current_pid_tgid` #14,
    /// `bpf_get_current_cgroup_id` #80, `bpf_get_ns_current_pid_tgid` #120,
    /// `bpf_get_current_ancestor_cgroup_id` #123) are in `bpf_base_func_proto` (6.12.118's
    /// source), so XDP, tc and socket filter programs may call them; 6.1.192's has none of
    /// them, nor do those program types' own lists. Not pinned down between them.
    pub const BASE_TASK_HELPERS: KernelVersion = KernelVersion::since(6, 12);
    /// `bpf_get_current_cgroup_id` (#80) and `bpf_get_current_ancestor_cgroup_id` (#123) are in
    /// `bpf_base_func_proto` for a `bpf_capable` loader (6.6.47 source read: the
    /// `CONFIG_CGROUPS` cases of its second switch), so XDP, tc and socket filter programs may
    /// call them; 6.1.192's has neither. (6.6.47's has not #14 and #120:
    /// [`KernelVersion::BASE_TASK_HELPERS`].)
    pub const BASE_CGROUP_HELPERS: KernelVersion = KernelVersion::since(6, 6);
    /// `bpf_get_current_uid_gid` (#15), `bpf_get_current_comm` (#16), `bpf_perf_event_read`
    /// (#22), `bpf_current_task_under_cgroup` (#37), `bpf_perf_event_read_value` (#55),
    /// `bpf_send_signal` (#109) and `bpf_send_signal_thread` (#117) from XDP, tc and socket
    /// filter programs: the 6.18 reference kernel offers them (measured), but neither
    /// 6.12.118's `bpf_base_func_proto`, `bpf_sk_base_func_proto`, `xdp_func_proto`,
    /// `tc_cls_act_func_proto` and `sk_filter_func_proto` nor 6.6.47's `bpf_base_func_proto`
    /// has them. The release between 6.12 and 6.18 that added them is not pinned down.
    pub const BASE_MORE_HELPERS: KernelVersion = KernelVersion::since(6, 18);
    /// The raw syncookie helpers (`bpf_tcp_raw_gen_syncookie_ipv4/6`,
    /// `bpf_tcp_raw_check_syncookie_ipv4/6`) take read-only memory (a dynptr slice, a kernel
    /// symbol's): their memory arguments have `MEM_RDONLY` in 7.2's prototypes and on 6.18.44
    /// (the rule cases `helper_raw_*_rdonly_mem.s`, `..._dynptr_slice.s`), not in 6.12.118's
    /// (`ARG_PTR_TO_MEM`, `ARG_PTR_TO_FIXED_SIZE_MEM`). Found by `tools/helper-protos/check.py`;
    /// not pinned down between them.
    pub const RAW_SYNCOOKIE_RDONLY: KernelVersion = KernelVersion::since(6, 18);
    /// A tail call, and a call of a global function that may change the packet (one that
    /// calls such a helper or `bpf_tail_call`, `changes_pkt_data`), invalidate the caller's
    /// packet pointers: upstream "bpf: consider that tail calls invalidate packet pointers"
    /// and "bpf: track changes_pkt_data property for global functions", 6.13, taken by 6.12.9
    /// and 6.12.25 at the latest (Debian's 6.12.118 changelog; both in 6.12.118's source).
    /// Not in 6.1.192's source (no `changes_pkt_data` of subprograms, no `bpf_tail_call` in
    /// `bpf_helper_changes_pkt_data`, read), which accepts the rule cases `global_changes_pkt`,
    /// `global_tail_call_changes_pkt` and `helper_tail_call_keeps_pkt` (measured in QEMU,
    /// tools/kernel-vm/). The 6.6 line is not read: taken as clearing them (the stricter
    /// reading), so only the 6.1 to 6.5 lines keep them (those after 6.1 ended before 6.13).
    pub const CALLS_CLEAR_PKT: KernelVersion = KernelVersion::since(6, 6);
    /// A tail call that fails keeps the main program's packet pointers (the rule case
    /// `helper_tail_call_keeps_pkt.s` on 6.18.44); 6.12.118's `check_helper_call` clears
    /// them after every tail call (`bpf_tail_call` is in its `bpf_helper_changes_pkt_data`;
    /// 7.2's clears them only in a subprogram, where a taken tail call is a return). Found by
    /// `tools/helper-protos/check.py`; not pinned down between 6.12.118 and 6.18.44 (older
    /// targets clearing them too is the stricter reading).
    pub const TAIL_CALL_KEEPS_PKT: KernelVersion = KernelVersion::since(6, 18);
    /// A legacy packet load (LD_ABS / LD_IND) in a subprogram may end the function with
    /// `r0 = 0` (`bpf_gen_ld_abs`'s hidden exit), a path 6.18.44's `check_ld_abs` walks back
    /// into the caller (the selftest `ld_abs_subprog_early_exit`; a hash lookup left unchecked
    /// on that path is refused live) and 6.12.118's does not. Not pinned down between them:
    /// the earliest candidate is taken (the stricter reading: one more path walked).
    pub const LD_ABS_SUBPROG_EXIT: KernelVersion = KernelVersion::since(6, 13);
    /// `bpf_get_netns_cookie` (#122) from tc and socket filter programs (the 6.18 reference
    /// kernel offers it to them; 6.12.118's `tc_cls_act_func_proto` and `sk_filter_func_proto`
    /// do not). Not pinned down between them.
    pub const SKB_NETNS_COOKIE: KernelVersion = KernelVersion::since(6, 18);
    /// The generic kfunc set (`bpf_obj_new_impl`, `bpf_obj_drop_impl`,
    /// `bpf_refcount_acquire_impl`, the list and rbtree kfuncs, `bpf_percpu_obj_new_impl`,
    /// ...) is registered for XDP programs (`kfunc_init` in 6.12.118's helpers.c: tracing,
    /// sched_cls, XDP, struct_ops, syscall, cgroup_skb); 6.6.47's `kfunc_init` registers it for
    /// tracing, sched_cls and struct_ops only (source read). Never for sched_act programs (the
    /// `exc_throw_sched_act` rule case on 6.18.44). Not pinned down between 6.6 and 6.12.
    pub const GENERIC_KFUNCS_XDP: KernelVersion = KernelVersion::since(6, 12);
    /// `bpf_percpu_obj_new_impl` / `bpf_percpu_obj_drop_impl` (per-CPU local objects): not in
    /// 6.6.47's `generic_btf_ids` (source read), so 6.7 (upstream "bpf: Add
    /// bpf_percpu_obj_{new,drop}_impl() kfuncs", Aug 2023, after 6.6's merge window).
    pub const PERCPU_OBJ: KernelVersion = KernelVersion::since(6, 7);
    /// A loop may be closed by any edge, the fall-through of an instruction that is not a jump
    /// included, for a privileged loader (`check_cfg`'s `push_insn` without `loop_ok`); before,
    /// only a jump's edge may go back to an instruction on the walk's stack ("back-edge from
    /// insn N to M", `cfg::check_old_back_edges`). Measured: 6.1.192 refuses the
    /// selftests `verifier_loops1/loop_start_in_the_middle` and `verifier_cfg/conditional_loop2`
    /// so, 6.12.118 accepts them (QEMU), and the two sources differ by exactly that
    /// parameter. Upstream "bpf: fix control-flow graph checking in privileged mode" (posted
    /// to the bpf tree on 2023-11-10, a fix of 6.7's cycle: 6.7); 6.6.47's `push_insn` (the
    /// 6.6 audit's source) has no `loop_ok`: backported to 6.6, from a 6.6.y not pinned down
    /// (taken as 6.6.47: an earlier 6.6.y target gets the older, stricter rule); 6.1.192 lacks
    /// it.
    pub const FALLTHROUGH_BACK_EDGE: Backported = Backported {
        mainline: KernelVersion::since(6, 7),
        stable: &[KernelVersion::with_patch(6, 6, 47)],
    };
    /// The infinite-loop check compares a state with its unfinished ancestor's exactly
    /// (`states_equal(..., EXACT)`); before, as for pruning: a number whose value did not
    /// matter (not `precise`) compares as any number, so a loop whose counter is spilled to
    /// the stack and never decided on is refused as infinite (the prune module's `old_loop`).
    /// Measured: 6.1.192 refuses the selftest `verifier_loops1/not_an_inifinite_loop`
    /// ("infinite loop detected at insn 4"), 6.12.118 accepts it (QEMU); 6.1.192's source
    /// calls `states_equal(env, &sl->state, cur)`, 6.12.118's passes `EXACT`. Upstream "bpf:
    /// exact states comparison for iterator convergence checks" (6.7, as remembered, not read
    /// here); 6.6.47's `regsafe` takes its `exact` (source read): backported to 6.6, from a
    /// 6.6.y not pinned down (taken as 6.6.47, as [`KernelVersion::FALLTHROUGH_BACK_EDGE`]).
    pub const EXACT_LOOP_CHECK: Backported = Backported {
        mainline: KernelVersion::since(6, 7),
        stable: &[KernelVersion::with_patch(6, 6, 47)],
    };
    /// A pointer that is not NULL compared with 0 is decided for more types (`reg_not_null`:
    /// `PTR_TO_MEM` (a ring buffer record), a trusted `PTR_TO_BTF_ID`, ...) and whichever operand
    /// the 0 is (`check_cond_jmp_op` calls `is_branch_taken` with the flipped opcode for a
    /// constant destination): both in 6.6.47's source (read) and 6.12.118's. 6.1.192's
    /// `is_branch_taken` decides it only for the destination being a socket or map value
    /// pointer (`reg_type_not_null`) and the source the constant 0. Not pinned down between
    /// 6.1 and 6.6. (A map pointer, `PTR_TO_XDP_SOCK` and `PTR_TO_BUF` are in 6.12.118's list
    /// only: [`KernelVersion::MAP_PTR_NOT_NULL`].)
    pub const NOT_NULL_MORE: KernelVersion = KernelVersion::since(6, 6);
    /// A comparison of a number with a constant *destination* (`r1 = 10; if r1 > r0`) is
    /// decided by the source's bounds (`check_cond_jmp_op` calls `is_branch_taken` on the
    /// source with `flip_opcode` when the source is not a constant: in 6.6.47's source (read),
    /// not in 6.1.192's, which decides only against a constant source). Not pinned down
    /// between them.
    pub const CONST_DST_BRANCH: KernelVersion = KernelVersion::since(6, 6);
    /// `if rA == rB` (or `!=`) of a pointer that may be NULL and one that may not, neither a
    /// `PTR_TO_BTF_ID`, makes the first not NULL where they are equal (`check_cond_jmp_op` with
    /// `mark_ptr_not_null_reg`, in 6.6.47's source (read) as in 6.12.118's); 6.1.192's learns
    /// nothing from comparing two pointers. Not pinned down between 6.1 and 6.6.
    pub const PTR_EQ_NOT_NULL: KernelVersion = KernelVersion::since(6, 6);

    /// `if rA == rB` of a pointer that may be NULL makes it not NULL on the equal branch only
    /// when the other is one `reg_not_null` knows is not NULL (a map value or ring buffer
    /// record with a bounded offset, a socket, a map pointer), not any other pointer (a stack,
    /// context or packet pointer): "bpf: check_cond_jmp_op(): properly infer if register is
    /// null" (CVE-2026-98134), upstream d3ef6c097ba0 in the bpf tree on 2026-08-27, then in
    /// linux-7.2.y (stable-rc, 2026-09-17), so mainline 7.3; in 6.12 from 6.12.114 (Debian's
    /// 6.12.118 changelog; its `check_cond_jmp_op` source read); every 7.2.y is taken to have
    /// it (the one that got it is not pinned down: a false reject for the earlier ones). A fix that makes the kernel
    /// stricter: a release that has it refuses what [`KernelVersion::PTR_EQ_NOT_NULL`] alone
    /// accepts. The 6.18.44 reference kernel lacks it (the `jmp_eq_stack_not_null` rule case
    /// loads), and so does 6.6.47's source (one operand maybe NULL and the other not is
    /// enough); whether a later 6.6.y or 6.18.y got it is not pinned down (a false accept
    /// there: verify for `6.12` too).
    pub const PTR_EQ_NOT_NULL_CHECKED: Backported = Backported {
        mainline: KernelVersion::since(7, 3),
        stable: &[
            KernelVersion::with_patch(6, 12, 114),
            KernelVersion::with_patch(7, 2, 0),
        ],
    };

    /// A narrow spill (`*(u32 *)(r10 - 8) = r1`) leaves the slot's other zero bytes
    /// (`STACK_ZERO`) zero (`save_register_state` in 6.12.118's source); 6.1.192's scrubs them
    /// to unknown (`scrub_spilled_slot`), except that a 0 is written as zero bytes, the
    /// others left alone. Not pinned down between them.
    pub const PARTIAL_SPILL_ZERO: KernelVersion = KernelVersion::since(6, 12);

    /// `reg_bounds_sync` deduces across the 32- and 64-bit bounds and across the sign boundary
    /// (`__reg32_deduce_bounds` from the 64-bit bounds, `__reg_deduce_mixed_bounds`,
    /// `__reg64_deduce_bounds` with a signed range crossing the sign, all in 6.12.118's
    /// source). 6.1.192's deduces each width's signed and unsigned bounds from each other
    /// only when one of them does not cross the sign, then the known bits (the verification
    /// of an older target uses that one: `domain/refine_old.rs`, `sync_old`). The release
    /// between them that changed it is not pinned down here.
    pub const BOUNDS_SYNC: KernelVersion = KernelVersion::since(6, 12);

    /// `|`, `^` and `*` by a source register that is not a constant keep the bounds and known
    /// bits they compute (`is_safe_to_compute_dst_reg_range` in 6.12.118's source). 6.1.192's
    /// `adjust_scalar_min_max_vals` computes only `+`, `-` and `&` for such a source and makes
    /// the destination unknown otherwise (all 64 bits, a 32-bit operation included). The release
    /// between them that changed it is not pinned down here.
    pub const ALU_ANY_SOURCE: KernelVersion = KernelVersion::since(6, 12);

    /// A spill of any number, one with no bound at all included, is a spilled register
    /// (`check_stack_write_fixed_off` in 6.12.118's source: `reg->type == SCALAR_VALUE`), so a
    /// fill of it is a copy of it, linked to it. 6.1.192 spills only a number with some bound
    /// (`register_is_bounded`): one with none is written as unknown bytes (`STACK_MISC`). The
    /// release between them that changed it is not pinned down here.
    pub const SPILL_ANY_SCALAR: KernelVersion = KernelVersion::since(6, 12);

    /// A comparison of two numbers is decided by, and narrows, both operands' ranges whatever
    /// they are (`is_scalar_branch_taken`, `regs_refine_cond_op` in 6.12.118's source), and a
    /// comparison of one width keeps the bounds of the other. 6.1.192's `check_cond_jmp_op`
    /// decides and narrows only against a constant operand (`is_branch_taken`,
    /// `reg_set_min_max`, `reg_set_min_max_inv`), decides `==` / `!=` only for a constant
    /// register, intersects two numbers only on the equal branch of a 64-bit `==` / `!=`
    /// (`reg_combine_min_max`), and a comparison drops the bounds of the other width
    /// (`__reg_combine_64_into_32`); older targets get that (`domain/refine_old.rs`). The
    /// release between them that changed it is not pinned down here.
    pub const BRANCH_RANGES: KernelVersion = KernelVersion::since(6, 12);

    /// A JIT-compiled program's functions count their stack rounded up to 16 bytes in the
    /// call-chain limit of 512 (`round_up_stack_depth` with `jit_requested`; in 6.12's source,
    /// perhaps earlier); the interpreter, and older kernels, round up to 32.
    pub const JIT_STACK_ROUND16: KernelVersion = KernelVersion::since(6, 12);

    /// A sum or difference of which every value wraps (past `2^64`, or below 0; in 32 bits
    /// too) keeps its unsigned range, wrapped (`scalar_min_max_add` / `_sub` and the 32-bit
    /// ones: only a range of which some values wrap and others do not is forgotten; 6.12.118's
    /// source makes the range unknown on any overflow). Also the sum a linked copy gets from
    /// its delta (`sync_linked_regs`). The patch went to bpf-next in June 2025, most likely
    /// for 6.17, but no 6.17 source was read: gated at 6.18, the kernel checked.
    pub const ADD_SUB_WRAP: KernelVersion = KernelVersion::since(6, 18);

    /// The `arg:` decl tags of a global function's arguments (`__arg_nonnull`, `__arg_ctx`)
    /// are read (`btf_prepare_func_args` with `bpf_subprog_arg_info`, 6.12.118's source);
    /// 6.6.47's `do_check_common` takes the registers `btf_prepare_func_args` types from the
    /// argument types alone (source read), so a pointer tagged `__arg_nonnull` may still be
    /// NULL there. Upstream in 6.8 most likely (the "arg:xxx" series of January 2024), not
    /// read: gated at 6.12. Before it a global function with a `void *` tagged `__arg_ctx`
    /// ([`GlobalArg::CtxTagged`](crate::btf::GlobalArg::CtxTagged)) is refused, called or
    /// not (6.6.47's `do_check_subprogs` verifies every global function, and its
    /// `btf_prepare_func_args` cannot size a `void`: "arg#0 reference type('UNKNOWN ') size
    /// cannot be determined"); a pointer to the program type's context structure (what the
    /// loaders write for `.global_func f(ctx)`) is the context on every target.
    pub const GLOBAL_ARG_TAGS: KernelVersion = KernelVersion::since(6, 12);

    /// Only the global functions a verified path calls are verified (`do_check_subprogs`
    /// with the `called` mark, 6.12.118's source; upstream "validate global subprogs lazily",
    /// December 2023, most likely 6.8, not read: gated at 6.12). 6.6.47's `do_check_subprogs`
    /// verifies every global function, called or not (source read), so before this a global
    /// function only dead code calls is verified too, and a prototype the kernel refuses
    /// (`btf_prepare_func_args`) refuses the program even if nothing calls it.
    pub const GLOBAL_LAZY: KernelVersion = KernelVersion::since(6, 12);

    /// A `BPF_ST` immediate stored to the stack at an 8-byte aligned offset is a spilled
    /// constant (`check_stack_write_fixed_off` with `is_bpf_st_mem`), and an immediate 0
    /// makes the bytes known zeros (`STACK_ZERO`); before, `*(u64 *)(r10 - 8) = 5` writes
    /// unknown bytes (`STACK_MISC`) and a fill of them is an unknown number. Upstream
    /// ecdf985d7615, 6.3; in 6.1 from 6.1.36 (Debian's 6.1.192 changelog: its 6.1.36 entry).
    pub const ST_IMM_SPILL: Backported = Backported {
        mainline: KernelVersion::since(6, 3),
        stable: &[KernelVersion::with_patch(6, 1, 36)],
    };

    /// A `BPF_ST` of the immediate 0 at a variable stack offset leaves the bytes that were
    /// known zeros zeros (`check_stack_write_var_off`: `writing_zero` for `is_bpf_st_mem`
    /// with `imm == 0`, in 6.6.47's and 6.12.118's source); 6.1.192's takes only a register
    /// holding 0 for a zero, so the immediate makes every byte of the range unknown. Upstream
    /// "bpf: BPF_ST with variable offset should preserve STACK_ZERO marks" (Eduard Zingerman,
    /// bpf-next February 2023, the same series as ecdf985d7615, [`KernelVersion::ST_IMM_SPILL`]):
    /// 6.3, so every 6.6.y has it; the 6.1.36 backport took the fixed-offset part only (the
    /// 6.1.192 source lacks this one).
    pub const ST_VAR_ZERO: Backported = Backported {
        mainline: KernelVersion::since(6, 3),
        stable: &[],
    };

    /// The constant a `BPF_ST` immediate spills is the immediate sign-extended to 64 bits
    /// (`__mark_reg_known(&fake_reg, insn->imm)`); before, it was cast to `u32` first, so
    /// `*(u64 *)(r10 - 8) = -1` read back as 0xffffffff (upstream 811c363645b3 "bpf: Fix
    /// check_stack_write_fixed_off() to correctly spill imm", 6.7; in 6.1 from 6.1.64, Debian's
    /// changelog; in 6.6 from 6.6.3: the stable review of 6.6.3-rc3, 2023-11-25, lists it, as
    /// 6.5.13's of the same day).
    /// Without it a negative immediate is written as unknown bytes here (the kernel's wrong
    /// constant is not modelled).
    pub const ST_IMM_SIGNED: Backported = Backported {
        mainline: KernelVersion::since(6, 7),
        stable: &[
            KernelVersion::with_patch(6, 1, 64),
            KernelVersion::with_patch(6, 6, 3),
        ],
    };

    /// A privileged program may read stack bytes it never wrote, within its frame's deepest
    /// write ([`KernelVersion::UNINIT_STACK_GROW`] for those deeper): `STACK_INVALID` bytes
    /// read as unknown with `allow_uninit_stack` (`perfmon_capable`) in
    /// `check_stack_read_fixed_off` and `check_stack_range_initialized` (upstream 6715df8d5d24
    /// "bpf: Allow reads from uninit stack", 6.4; in 6.1 from 6.1.100: its stable patch read,
    /// and Debian's 6.1.192 changelog). Before it every read of such a byte is refused (a load,
    /// a helper's, kfunc's or global function's memory that is read, a variable-offset load, an
    /// atomic operation: `invalid read from stack off -8+0 size 8`, `invalid indirect read from
    /// stack`); the frames start as never-written (`Byte::Unset`) bytes,
    /// which only a write makes readable, and a narrow spill over such bytes is written as
    /// bytes (its bounds lost: `save_register_state` leaves the slot's `STACK_INVALID` bytes).
    pub const UNINIT_STACK_READ: Backported = Backported {
        mainline: KernelVersion::since(6, 4),
        stable: &[KernelVersion::with_patch(6, 1, 100)],
    };

    /// A privileged program may read stack bytes deeper than every write to its frame so far:
    /// the read grows the frame (`check_stack_slot_within_bounds` with `allow_uninit_stack`,
    /// `check_stack_range_initialized` growing the stack; upstream 6b4a64bafd10 "bpf: Fix
    /// accesses to uninit stack slots", December 2023, so 6.8; in 6.6 from 6.6.14 and in 6.1
    /// from 6.1.191, Debian's 6.12.118 and 6.1.192 changelogs; 6.1.192's source read). Before
    /// it the frame is as deep as its deepest write (`allocated_stack`: a store, a helper's
    /// write, a dynptr or iterator made there; whole 8-byte slots) and a load, a helper's or
    /// kfunc's memory argument that is read, an atomic operation or a variable-offset read
    /// whose lowest byte is deeper is refused (`invalid read from stack R10 off=-16 size=8`,
    /// `invalid indirect access to stack`); such a target's frames start as
    /// never-written (`Byte::Unset`) bytes. (Reads of never-written bytes
    /// within that depth are allowed from 6.4 / 6.1.100: [`KernelVersion::UNINIT_STACK_READ`].)
    pub const UNINIT_STACK_GROW: Backported = Backported {
        mainline: KernelVersion::since(6, 8),
        stable: &[
            KernelVersion::with_patch(6, 1, 191),
            KernelVersion::with_patch(6, 6, 14),
        ],
    };
}
