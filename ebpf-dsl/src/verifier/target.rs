//! The Linux version a program is verified for.
//!
//! The kernel's verifier learns new tricks in new releases; a program that relies on one is
//! rejected by older kernels. The static verifier assumes only the features of the version it
//! is given ([`VerifyInput::kernel`](super::VerifyInput::kernel)), so that what it accepts
//! loads on that version. Later verifiers almost always prove at least as much; the known
//! exception is 6.18's links through `rX -= c`, which carry a lossy `&`-test refinement to the
//! copies (the `link_sub_delta_jset` rule case): verify for the newest kernel you target too.
//! The default, [`KernelVersion::DEFAULT`], is 6.6. The oldest target it supports is 6.1
//! ([`KernelVersion::OLDEST`]): nothing here gates the rules the kernel learnt before 6.1
//! (`bpf_loop` and callbacks 5.13-5.17, kfuncs 5.13, `BPF_ATOMIC` 5.12, timers 5.15, kptrs and
//! dynptrs 5.19-6.0, the helpers after 5.10's 155th, ...), so a target older than 6.1 is
//! refused ([`KernelVersion::check_supported`], a [`Rule::Unsupported`](super::Rule) error of
//! [`verify`](super::verify)) instead of being verified with rules its kernel lacks. The
//! features gated on a version newer than 6.1 are:
//!
//! | feature                                                                 | since |
//! |-------------------------------------------------------------------------|-------|
//! | `bpf_map_lookup_elem` on an (per-CPU) array with a constant in-bounds key from the stack never returns NULL | 6.14 |
//! | byte swaps (`be16`, `bswap32`, ...) and `le16` / `le32` keep the known bits and truncate (`scalar_byte_swap`) | 6.18 |
//! | `rX <<= 32` keeps a negative 32-bit signed bound too, shifted up (the `<<32 s>>32` sign extension) | 6.19; 6.1.165, 6.12.75, 6.18.44 |
//! | `==` / `!=` between values whose known bits disagree is decided (`tnum_overlap`) | 6.18; 6.12.58 |
//! | a map pointer (`r1 = m ll`, or an inner map from a map of maps) compared with 0 is decided (`reg_not_null` with `CONST_PTR_TO_MAP`) | 6.12 |
//! | `rX = rY; rX += c` keeps the two linked with the delta `c` (`BPF_ADD_CONST`) | 6.12 |
//! | the same links through `rX -= c`, negative constants and 32-bit `wX += c` | 6.18 |
//! | a comparison that leaves one value of the known bits in the unsigned range makes the number that constant (`tnum_step`) | 6.18 |
//! | `&=` / `\|=` a constant on a value that is -1 or 0 splits the path in two (`maybe_fork_scalars`) | 6.18 |
//! | a load narrower than a spilled number, from its start, keeps its bounds; spills and fills of a value that fits keep the link to its copies | 6.12 |
//! | `w1 = w2` of a value that fits in 32 bits, and a sign-extending move that leaves the value unchanged, keep the link to the source (`check_alu_op` in 6.6.47; 6.1.192 clears it) | 6.6 |
//! | load-acquire and store-release instructions (`BPF_LOAD_ACQ`, `BPF_STORE_REL`) | 6.15 |
//! | `bpf_get_smp_processor_id` returns a number in `0..nr_cpu_ids` (`VerifyInput::possible_cpus`: the machine's count when given, else `0..=u32::MAX`) | 6.12 |
//! | a sign extension (`rX = (s8)rY`, `*(s16 *)` of a spilled number) of a value whose signed 32-bit range fits the narrower type keeps that range | 6.18 |
//! | a 64-bit `==` / `!=` the 64-bit ranges leave open is decided by the 32-bit bounds | 6.12 |
//! | a register compared with itself (`if r1 < r1`) is narrowed on the branch that holds | 6.12 |
//! | a multiplication keeps the range of the products of its operands' bounds (before: only for non-negative operands up to U32_MAX, U16_MAX in 32 bits) | 6.14 |
//! | a 32-bit multiplication keeps signed 32-bit bounds whatever the operands' signs; a 64-bit one bounds its low half by the products of the 32-bit bounds too | 6.18 |
//! | the known bits of a product are the shift-and-add `tnum_mul`'s alone (before: the union with the older partial-products algorithm's) | 6.18 |
//! | a load of a `__kptr` field holding a program's own struct (`bpf_obj_new`) gives an RCU non-owning reference, which `bpf_refcount_acquire` takes | 6.12 |
//! | `bpf_get_cgroup_classid` from XDP and socket filters (the current task's, no argument; 6.12 offers it to neither; the first release between them that has it is not pinned down) | 6.18 |
//! | a sum or difference whose every value wraps past 2^64 (2^32), or below 0, keeps its unsigned range, wrapped (`scalar_min_max_add` / `_sub`; before, any wrap made it unknown) | 6.18 |
//! | a branch no value takes (the comparison's bounds contradict the known bits) is walked with the state the kernel's bounds sync makes of it, often a constant (`tnum_step`; before, an unknown number) | 6.18 |
//! | such a branch is walked with the known bits the bounds sync leaves and unbounded ranges where the sanity check fails (`reg_bounds_sanity_check`, `__mark_reg_unbounded`; before, an unknown number here) | 6.12 |
//! | the `&=` / `\|=` split also for a 64-bit operation on a register whose low half only is -1 or 0 (`maybe_fork_scalars` with `__mark_reg32_known`) | 6.18 |
//! | a negation (`rX = -rX`) is tracked as `0 - rX` (before: an unknown number; upstream aced132599b3, first released in 6.17) | 6.17 |
//! | a number read through a kernel structure's pointer past a flexible array's step runs over the end of its member (`fields[]` of `struct btf_record`; 6.12.118 refuses it, measured in QEMU) | 6.18 |
//! | `ld_imm64` of a kernel function's address (`BPF_PSEUDO_BTF_ID` of a BTF `FUNC`; 6.1.192 refuses it, measured in QEMU) | 6.2 |
//! | a function of the program called, or returning, while a `bpf_spin_lock` is held (6.1.192 refuses both, measured in QEMU) | 6.9 |
//! | a store of a constant (`BPF_ST`) into the context (6.1.192 refuses it, measured in QEMU) | 6.4 |
//! | a helper's map key or value in a ring buffer reservation (or other helper memory; 6.1.192 refuses it, measured in QEMU) | 6.2 |
//! | `bpf_loop` with a count of 0 never explores its callback (before: explored whatever the count; 6.1.192 checks its return value, measured in QEMU; upstream in 6.7, in the 6.6 line as audited) | 6.6 |
//! | the socket lookups take a tuple size of 0 (6.1.192 refuses it, measured in QEMU; the first release between 6.1 and 6.12 not pinned down) | 6.12 |
//! | the value a linked copy with a delta gets after a comparison is made consistent (`reg_bounds_sync` in `sync_linked_regs`; before: each range and the known bits get the delta apart, unsynced) | 6.18 |
//! | the `-mcpu=v4` instructions: sign-extending moves and loads, signed division and modulo, unconditional byte swaps, `gotol` (before: reserved fields; a sign-extending load is refused even unreached) | 6.6 |
//! | `bpf_snprintf`'s buffer and `bpf_fib_lookup`'s parameters are written (`MEM_WRITE`: a read-only map value refused; before: read, 6.1.192 and 6.12.118 accept, measured in QEMU) | 6.18 |
//! | stricter: `bpf_dynptr_slice_rdwr` is refused (before: a writable slice from XDP and tc; 6.12.118 accepts, measured in QEMU; taken as the read-only slice for older targets) | 6.18 |
//! | stricter: the constant 0 given for a global function's `__arg_nonnull` argument is refused (before: let through, 6.12.118 accepts, measured in QEMU) | 6.18 |
//! | stricter: a packet pointer marked at or past `data_end` loses the mark when a constant is added or subtracted (before: kept, 6.1.192 and 6.12.118 accept, measured in QEMU) | 6.18 |
//! | a tail call, and a call of a global function that may change the packet, invalidate the packet pointers (until 6.18 for a tail call; before: neither, 6.1.192 accepts, measured in QEMU; upstream 6.13, 6.12.9; 6.6 not read, taken as having it) | 6.6 |
//! | an offset whose maximum reaches 2^29 is decided by a second walk with exactness marks (`exact`; other lines refuse it as a doubt) | the 6.12 (measured in QEMU) and 6.18 lines |
//! | `gotol` alone (6.1.192 accepts it, measured in QEMU) | 6.6; 6.1.72 |
//! | `may_goto` (before: an unknown jump opcode; upstream in the bpf-next of 2024-03-06, after 6.8's merge window) | 6.9 |
//! | `bpf_get_current_pid_tgid`, `bpf_get_ns_current_pid_tgid` from XDP, tc and socket filter programs (`bpf_base_func_proto`; not in 6.6.47's nor 6.1.192's) | 6.12 |
//! | `bpf_get_current_cgroup_id`, `bpf_get_current_ancestor_cgroup_id` from XDP, tc and socket filter programs (`bpf_base_func_proto`: in 6.6.47's, not in 6.1.192's) | 6.6 |
//! | `bpf_get_current_uid_gid`, `bpf_get_current_comm`, `bpf_perf_event_read`, `bpf_current_task_under_cgroup`, `bpf_perf_event_read_value`, `bpf_send_signal`, `bpf_send_signal_thread` from XDP, tc and socket filter programs (no proto of 6.12.118 offers them; the release between 6.12 and 6.18 not pinned down) | 6.18 |
//! | `bpf_get_netns_cookie` from tc and socket filter programs (6.12.118's `tc_cls_act_func_proto` / `sk_filter_func_proto` lack it) | 6.18 |
//! | the generic kfuncs (`bpf_obj_new_impl`, lists, rbtrees, `bpf_refcount_acquire_impl`, per-CPU objects) from XDP programs (6.6.47's `kfunc_init` registers the set for sched_cls, tracing and struct_ops only; never for sched_act) | 6.12 |
//! | `bpf_percpu_obj_new_impl` / `bpf_percpu_obj_drop_impl` (not in 6.6.47's `generic_btf_ids`) | 6.7 |
//! | the infinite-loop check compares a state with its unfinished ancestor's exactly (before: a spilled number whose value did not matter compares as any number, so a loop with a stack counter never decided on is `infinite loop detected`; 6.1.192 measured in QEMU, upstream's 6.7 inferred) | 6.7; 6.6.47 |
//! | a loop closed by the fall-through of an instruction that is not a jump (`goto l0; l1: r0 += 1; l0: if r0 < 4 goto l1`; before: `back-edge from insn N to M`, 6.1.192 measured in QEMU; upstream's 6.7 inferred) | 6.7; 6.6.47 |
//! | every kfunc by its release ([`kfunc_since`]): a call of one the target lacks is refused wherever it is, on a path never taken too (the kernel and the loader resolve every kfunc call at load) | per kfunc |
//! | `r1 = 10; if r1 > r0`: a comparison with a constant destination is decided by the source's bounds (the flipped `is_branch_taken` of 6.6.47's `check_cond_jmp_op`; 6.1.192 decides only against a constant source) | 6.6 |
//! | a global function's argument tagged `__arg_nonnull` is not NULL, and a `void *` tagged `__arg_ctx` is the context (before: the tags are ignored, the body null-checks the pointer, and a function with the tagged `void *` is refused, called or not; a pointer to the program type's context structure is the context on every target) | 6.12 |
//! | only the global functions a verified path calls are verified (before: every global function, called or not, and a prototype the kernel refuses refuses the program even if nothing calls it) | 6.12 |
//! | a non-NULL pointer compared with 0 is decided for a ring buffer record, a kernel object, an allocated object too, and with the 0 as the destination (`reg_not_null` and the flipped `is_branch_taken` in 6.6.47; before: a map value or socket pointer as the destination, `reg_type_not_null` in 6.1.192) | 6.6 |
//! | `if rA == rB` of a pointer that may be NULL and one that may not makes the first not NULL on the equal branch (`mark_ptr_not_null_reg` for two pointers in 6.6.47's `check_cond_jmp_op`; not in 6.1.192) | 6.6 |
//! | the known-zero bytes of a slot past a narrow spill stay zero (before: unknown, 6.1.192's `save_register_state` scrubs them; a spilled 0 leaves them as they are) | 6.12 |
//! | the bounds are made to agree across the halves and across the sign boundary (the 32-bit bounds from 64-bit ones whose upper halves agree, the 64-bit ones from the 32-bit ones, signed and unsigned ranges that cross the sign boundary); before: 6.1.192's `reg_bounds_sync` (each width's signed and unsigned bounds from each other when one does not cross the sign, the known bits) | 6.12 |
//! | `\|=`, `^=` and `*=` by a register that is not a constant keep a range (before: an unknown number, in 32 bits too; 6.1.192's `adjust_scalar_min_max_vals` computes only `+`, `-`, `&` for any source) | 6.12 |
//! | a spill (`*(u64 *)(r10 - 8) = r1`, or an aligned narrow one) of a number with no bound at all is a spilled register (a fill of it is a copy of it); before: unknown bytes (`register_is_bounded` in 6.1.192) | 6.12 |
//! | a `BPF_ST` immediate stored to the stack is a spilled constant, its 0 known zeros (before: unknown bytes) | 6.3; 6.1.36 |
//! | that constant is the immediate sign-extended (before: cast to `u32`; unknown bytes here) | 6.7; 6.1.64, 6.6.3 |
//! | a `BPF_ST` of 0 at a variable stack offset keeps known zeros (no 6.1.y has it) | 6.3 |
//! | a privileged read of stack bytes never written, within the frame's deepest write, reads an unknown number (before: refused, `STACK_INVALID`; a narrow spill leaves the slot's other such bytes) | 6.4; 6.1.100 |
//! | a read of stack bytes deeper than every write to the frame grows the frame (before: refused, the frame is as deep as its deepest write, `allocated_stack`) | 6.8; 6.1.191, 6.6.14 |
//! | stricter: `if rA == rB` proves a pointer that may be NULL not NULL only when the other is one `reg_not_null` knows (not a stack, context or packet pointer) | 7.3; 6.12.114 |
//! | a comparison of two numbers neither of which is a constant narrows both and is decided by their ranges; `==` / `!=` a constant is decided by the ranges; a comparison of one width keeps the other width's bounds; before: only against a constant, `==` / `!=` only by a constant, and the 64-bit `==` / `!=` of two numbers intersects them (`reg_set_min_max`, `reg_combine_min_max` in 6.1.192) | 6.12 |
//!
//! (`6.12.75`: the first release of that stable line with the backport, [`Backported`]; a
//! target given as `major.minor` is the line as audited, with its backports.)
//!
//! The map-creation rules ([`MapSpec::creation_check`](crate::spec::MapSpec::creation_check),
//! checked at a map's first reference) have their own gates: `cgrp_storage` maps from 6.2,
//! arenas and `BPF_F_TOKEN_FD` from 6.9, a queue's or stack's `max_entries × value_size`
//! under U32_MAX from 6.2 to 6.17 (in 6.12.118, not in 6.1.192 nor 6.18.44), an LPM trie's
//! 40-byte node header (its value limit) before 6.18, `BPF_F_RB_OVERWRITE` from 7.0.
//!
//! Everything else follows kernel 6.18 and is checked against it by the differential tests.
//! That includes the state pruning, which no gate models: older kernels prune less (6.12.118
//! explores nested callback rounds 6.18 prunes, 6.1.192 more), so a program close to the
//! kernel's 1,000,000-instruction limit may be accepted for an older target and refused by
//! that kernel as too large (measured in QEMU: 2 rule cases on 6.12.118, 3 calico entry points
//! on 6.1.192). Verify such programs on the oldest kernel they must load on.
//!
//! The older targets were audited against Debian's 6.1.192 and 6.12.118, and the default
//! target against the source of 6.6.47 (read: `kernel/bpf/verifier.c`,
//! `kernel/bpf/helpers.c`; each gate's 6.1 / 6.6 / 6.12 presence, with the function read, is
//! in `ebpf-dsl/VERIFIER_TARGETS.md`). A rule only 6.12.118 has is gated at 6.12 unless its
//! first release is pinned down (with the evidence in the constant's doc), and the older
//! target then computes what 6.1.192 computes where that is practical
//! (`domain/refine_old.rs`). 6.6.47 computes as 6.1.192 does for the gates at 6.12 here
//! (`reg_bounds_sync`, `reg_set_min_max`, `adjust_scalar_min_max_vals`,
//! `check_stack_write_fixed_off` read), except where the table says 6.6; where 6.6.47 proves
//! more than that older model (the links kept by same-size narrow spills and fills) the 6.6
//! target rejects what 6.6 accepts. One case is the other way round: 6.12 and later refine
//! `if w4 > w4` (SAME_REG_NARROW) into a contradiction 6.6 does not see, so a program can load
//! on 6.6 and be refused by 6.12 (`link_same_reg_violation`): verify for each target.

use core::fmt;

/// A kernel version `major.minor`, or `major.minor.patch` for one stable release.
///
/// A target given as `major.minor` ([`KernelVersion::new`], `--kernel 6.1`, `kernel = "6.1"`)
/// is the stable line as this verifier was audited against it (its patch level is
/// [`KernelVersion::LATEST`]: 6.1.192, 6.6.47, 6.12.118, the 6.18.44 reference kernel), with
/// every backport that release has; `6.1.30` ([`KernelVersion::with_patch`]) is that release,
/// without the rules backported later ([`Backported`]). The gates of the rules upstream
/// learnt are `major.minor.0` ([`KernelVersion::since`]): a rule of 6.12 holds for 6.12.0 on.
/// Versions order by major, minor, then patch, so `6.1.30 < 6.1 < 6.2.0`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct KernelVersion {
    /// Major version (6 in 6.18).
    pub major: u16,
    /// Minor version (18 in 6.18).
    pub minor: u16,
    /// Patch level (44 in 6.18.44), or [`KernelVersion::LATEST`]: the stable line as audited.
    pub patch: u16,
}

/// A rule upstream learnt in `mainline` and some stable lines gained later by a backport,
/// each from its own patch level ([`KernelVersion::has`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Backported {
    /// The first upstream release with the rule (`major.minor.0`).
    pub mainline: KernelVersion,
    /// The first release of each older stable line that has it (a line not listed lacks it).
    pub stable: &'static [KernelVersion],
}

impl KernelVersion {
    /// Linux 6.6, the default target.
    pub const DEFAULT: KernelVersion = KernelVersion::new(6, 6);
    /// Linux 6.1, the oldest target the static verifier supports: an older one is refused
    /// ([`KernelVersion::check_supported`]). Every gate here was audited down to 6.1.192's
    /// verifier, but nothing gates the rules the verifier learnt between 5.x and 6.1:
    /// 5.10.262's (Debian 11) has no `bpf_loop`, no callbacks (`BPF_PSEUDO_FUNC`), no kfuncs,
    /// no `BPF_ATOMIC` but `BPF_XADD`, no timers, kptrs nor dynptrs, and offers 155 helpers
    /// where 6.1.192 offers 209 (the list of what a 5.x target would need is in
    /// `ebpf-dsl/VERIFIER_TARGETS.md`). Verifying for such a target would accept programs
    /// its kernel refuses. A 6.1 target means the 6.1 stable line as audited (6.1.192); an
    /// early 6.1.y lacks some backported rules: those a gate stands for are gated at their
    /// patch level (a `BPF_ST` immediate spilled to the stack is a known constant from 6.1.36
    /// on, [`KernelVersion::ST_IMM_SPILL`]; a read deeper than every write is refused before
    /// 6.1.191, [`KernelVersion::UNINIT_STACK_GROW`], any read of a byte never written before
    /// 6.1.100, [`KernelVersion::UNINIT_STACK_READ`]).
    pub const OLDEST: KernelVersion = KernelVersion::new(6, 1);
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
    /// maximum reaches 2^29, [`super::exact`]) is walked a second time with the exactness
    /// marks, deciding as the kernel decides: 6.18 ([`super::exact::EXACT_TARGET`], checked
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
    /// insn N to M", [`super::cfg::check_old_back_edges`]). Measured: 6.1.192 refuses the
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

    /// `Ok` for a target the static verifier supports (6.1 or later: [`KernelVersion::OLDEST`]);
    /// for an older one, the reason and what to do instead.
    pub fn check_supported(self) -> Result<(), String> {
        let oldest = KernelVersion::OLDEST;
        if self < KernelVersion::since(oldest.major, oldest.minor) {
            return Err(format!(
                "the target kernel {self} is older than {oldest}, the oldest one this static verifier supports: its rules are audited down to Linux {oldest} only, and older verifiers lack some of them (bpf_loop, callbacks, kfuncs, atomics other than add, the newer helpers, ...), so it could accept programs Linux {self} refuses; verify for {oldest} or later (`--kernel {oldest}`, `kernel = \"{oldest}\"`) and have the {self} kernel's own verifier check the program (load it there: `ebpf-dsl load FILE`)",
            ));
        }
        for &(first, why) in KernelVersion::FIRST_SUPPORTED_PATCH {
            if self.line() == first.line() && self.patch < first.patch {
                let line = first.line();
                return Err(format!(
                    "the target kernel {self} is older than {first}, the first {line}.y release this static verifier supports: {why}, so it could accept programs Linux {self} refuses; verify for `{line}` ({first} or later) and have the {self} kernel's own verifier check the program (load it there: `ebpf-dsl load FILE`)",
                ));
            }
        }
        Ok(())
    }

    /// The first release of a stable line that the static verifier supports, where an earlier
    /// one lacks a backport its model of the line assumes and no gate can stand for (the
    /// Debian changelogs of 6.1.192 and 6.12.118 name each stable release's commits;
    /// `ebpf-dsl/VERIFIER_TARGETS.md`).
    pub const FIRST_SUPPORTED_PATCH: &'static [(KernelVersion, &'static str)] = &[
        (
            KernelVersion::with_patch(6, 12, 81),
            "the bounds deductions of the 6.12 model came to 6.12 by backports up to 6.12.81 (\"bpf: Improve bounds when s64 crosses sign boundary\", \"bpf: Add third round of bounds deduction\", \"bpf: Fix u32/s32 bounds when ranges cross min/max boundary\"): an earlier 6.12.y deduces less, and this verifier has no model of that one",
        ),
        (
            KernelVersion::with_patch(6, 18, 44),
            "the 6.18 model is the 6.18.44 reference kernel's, which has backports from later releases (the `<<= 32` signed bounds of 6.19, in 6.12 from 6.12.75, and likely the bounds deductions 6.12 got in 6.12.81): the 6.18.y releases that got them are not pinned down (no 6.18 changelog was read), so an earlier 6.18.y may deduce less",
        ),
    ];

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

    /// The patch level of a target given as `major.minor`: the newest stable release of the
    /// line this verifier was audited against, with its backports.
    pub const LATEST: u16 = u16::MAX;

    /// The target `major.minor`: the stable line as audited (patch [`KernelVersion::LATEST`]).
    pub const fn new(major: u16, minor: u16) -> KernelVersion {
        KernelVersion {
            major,
            minor,
            patch: KernelVersion::LATEST,
        }
    }

    /// The release `major.minor.0`: what a rule upstream learnt in `major.minor` is gated on.
    pub const fn since(major: u16, minor: u16) -> KernelVersion {
        KernelVersion::with_patch(major, minor, 0)
    }

    /// The stable release `major.minor.patch`.
    pub const fn with_patch(major: u16, minor: u16, patch: u16) -> KernelVersion {
        KernelVersion {
            major,
            minor,
            patch,
        }
    }

    /// The patch level, `None` for a target given as `major.minor` (the line as audited).
    pub fn patch_level(self) -> Option<u16> {
        (self.patch != KernelVersion::LATEST).then_some(self.patch)
    }

    /// The stable line this release belongs to, as audited (`6.1.30` gives `6.1`).
    pub const fn line(self) -> KernelVersion {
        KernelVersion::new(self.major, self.minor)
    }

    /// Whether this release has the rule `rule`: upstream's from its mainline release on, a
    /// stable line's from the patch level that got the backport on.
    pub fn has(self, rule: Backported) -> bool {
        self >= rule.mainline
            || rule
                .stable
                .iter()
                .any(|s| s.line() == self.line() && self.patch >= s.patch)
    }

    /// Parses `6.18` (the line as audited), `6.18.44`, or a `uname -r` release such as
    /// `6.18.44-fc-v1252` (a suffix after `-`, `+`, `~` or `_`; `6.18-rc3` is 6.18.0);
    /// `None` for anything else (`6`, `6.1.x`, `6.1.`, a patch level of 65535 or more).
    ///
    /// Debian's `uname -r` names the ABI, not the release (`6.1.0-28-amd64` is some 6.1.1xx):
    /// parsed, it is 6.1.0, which lacks the 6.1.y backports; pass the release itself
    /// (`uname -v` shows it) or `6.1`.
    pub fn parse(s: &str) -> Option<KernelVersion> {
        fn number(s: &str) -> Option<(u16, &str)> {
            let end = s.find(|c: char| !c.is_ascii_digit()).unwrap_or(s.len());
            Some((s[..end].parse().ok()?, &s[end..]))
        }
        let (major, rest) = number(s.trim())?;
        let (minor, rest) = number(rest.strip_prefix('.')?)?;
        let (patch, rest) = match rest.strip_prefix('.') {
            Some(r) => number(r).filter(|(p, _)| *p < KernelVersion::LATEST)?,
            None if rest.is_empty() => (KernelVersion::LATEST, rest),
            None => (0, rest),
        };
        (rest.is_empty() || rest.starts_with(['-', '+', '~', '_']))
            .then_some(KernelVersion::with_patch(major, minor, patch))
    }

    /// The release of a kernel from its `uname -r` (`release`) and `uname -v` (`version`):
    /// `release` parsed, except Debian's ABI names (`6.1.0-57-amd64`, which [`parse`] takes
    /// for 6.1.0 though the kernel is some 6.1.1xx with its backports), where the release is
    /// the one `uname -v` names (`#1 SMP PREEMPT_DYNAMIC Debian 6.1.192-3 (2026-11-20)`), as
    /// libbpf reads it. `None` when `release` is not a version.
    ///
    /// [`parse`]: KernelVersion::parse
    pub fn from_uname(release: &str, version: &str) -> Option<KernelVersion> {
        let parsed = KernelVersion::parse(release)?;
        if parsed.patch != 0 {
            return Some(parsed);
        }
        let debian = version
            .split_whitespace()
            .skip_while(|w| *w != "Debian")
            .nth(1)
            .and_then(|w| KernelVersion::parse(w.split(['-', '~', '+']).next().unwrap_or(w)))
            .filter(|d| d.line() == parsed.line() && d.patch_level().is_some());
        Some(debian.unwrap_or(parsed))
    }

    /// The running kernel's release ([`KernelVersion::from_uname`] of
    /// `/proc/sys/kernel/osrelease` and `/proc/sys/kernel/version`); `None` without procfs or
    /// when the release is not a version.
    pub fn running() -> Option<KernelVersion> {
        let release = std::fs::read_to_string("/proc/sys/kernel/osrelease").ok()?;
        let version = std::fs::read_to_string("/proc/sys/kernel/version").unwrap_or_default();
        KernelVersion::from_uname(&release, &version)
    }
}

impl KernelVersion {
    /// The version as one number that orders as the versions do (major, minor, then patch):
    /// a gate (`kernel >= KernelVersion::X`, several per instruction) is one comparison, not
    /// three.
    #[inline]
    const fn key(self) -> u64 {
        (self.major as u64) << 32 | (self.minor as u64) << 16 | self.patch as u64
    }
}

impl PartialOrd for KernelVersion {
    #[inline]
    fn partial_cmp(&self, other: &Self) -> Option<core::cmp::Ordering> {
        Some(self.cmp(other))
    }
    #[inline]
    fn lt(&self, other: &Self) -> bool {
        self.key() < other.key()
    }
    #[inline]
    fn le(&self, other: &Self) -> bool {
        self.key() <= other.key()
    }
    #[inline]
    fn gt(&self, other: &Self) -> bool {
        self.key() > other.key()
    }
    #[inline]
    fn ge(&self, other: &Self) -> bool {
        self.key() >= other.key()
    }
}

impl Ord for KernelVersion {
    #[inline]
    fn cmp(&self, other: &Self) -> core::cmp::Ordering {
        self.key().cmp(&other.key())
    }
}

impl Default for KernelVersion {
    fn default() -> Self {
        KernelVersion::DEFAULT
    }
}

impl fmt::Display for KernelVersion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.patch_level() {
            Some(p) => write!(f, "{}.{}.{p}", self.major, self.minor),
            None => write!(f, "{}.{}", self.major, self.minor),
        }
    }
}

/// The first Linux release whose kernel has the kfunc `name` (one of
/// [`kfunc_names`](crate::xdp::netfilter::kfunc_names)), or `None` for a name this verifier
/// does not know: the one table of the kfuncs' versions, which the static verifier checks
/// every kfunc call against before any path is walked (a kfunc the target kernel lacks is
/// not in its BTF: libbpf, or this crate's loader, cannot resolve the call, and a call given
/// by BTF id is refused by the kernel's `add_kfunc_call`, which resolves every kfunc call
/// instruction at load, unreachable ones included: `kernel btf_id N is not a function`),
/// and `xsk-runtime`'s loader names in its error for a kfunc the running kernel lacks.
///
/// A kfunc present in a release may still be refused for a program type or a licence (the
/// walk checks those, where a path reaches the call: the kernel looks up the program type's
/// kfunc sets in `check_kfunc_call`, not at load) or missing from a kernel built without its
/// subsystem (conntrack as a module, the crypto or flowtable BPF support).
///
/// Measured: every kfunc here is absent from Debian's 6.1.192 source (`kernel/`, `net/`)
/// except the conntrack ones (`bpf_ct_set_nat_info` included, `nf_nat_bpf.c`), present in
/// 6.12.118's except those marked 6.13 and later, and in the 6.18.44 reference kernel's BTF
/// except `bpf_xdp_flow_lookup` (built without the flowtable's BPF support). The releases
/// between those lines are upstream's, read from the kernels' histories, not measured.
pub fn kfunc_since(name: &str) -> Option<KernelVersion> {
    use crate::xdp::arena::ArenaKfunc;
    use crate::xdp::btf_kfunc::BtfKfunc;
    use crate::xdp::crypto::CryptoKfunc;
    use crate::xdp::dynptr::DynptrKfunc;
    use crate::xdp::exception::ExcKfunc;
    use crate::xdp::graph::GraphKfunc;
    use crate::xdp::iter::{IterKfunc, IterKind};
    use crate::xdp::metadata::XdpKfunc;
    use crate::xdp::netfilter::NfKfunc;
    use crate::xdp::rcu::RcuKfunc;
    let v = KernelVersion::since;
    if let Some(k) = XdpKfunc::from_name(name) {
        // The XDP RX metadata kfuncs (`net/core/xdp.c`): the VLAN tag came later.
        return Some(match k {
            XdpKfunc::RxVlanTag => v(6, 8),
            XdpKfunc::RxTimestamp | XdpKfunc::RxHash => v(6, 3),
        });
    }
    if let Some(k) = NfKfunc::from_name(name) {
        return Some(match k {
            NfKfunc::XdpCtLookup | NfKfunc::SkbCtLookup | NfKfunc::CtRelease => v(5, 18),
            NfKfunc::XdpFlowLookup => v(6, 10),
            // The allocation, insertion, timeout and status kfuncs 6.1; `bpf_ct_set_nat_info`
            // is in 6.1.192's `nf_nat_bpf.c` too (source read).
            _ => v(6, 1),
        });
    }
    if let Some(k) = DynptrKfunc::from_name(name) {
        return Some(match k {
            DynptrKfunc::FromSkb
            | DynptrKfunc::FromXdp
            | DynptrKfunc::Slice
            | DynptrKfunc::SliceRdwr => v(6, 4),
            DynptrKfunc::XdpPullData => v(6, 18),
            _ => v(6, 5),
        });
    }
    if let Some(k) = ExcKfunc::from_name(name) {
        return Some(match k {
            ExcKfunc::Throw => v(6, 7),
            // LLVM's trap, which the kernel refuses once reached (`transfer/call/throw.rs`).
            ExcKfunc::Trap => v(6, 16),
        });
    }
    if let Some(k) = BtfKfunc::from_name(name) {
        return Some(match k {
            BtfKfunc::SkAssignTcpReqsk => v(6, 9),
            BtfKfunc::CastToKernCtx | BtfKfunc::RdonlyCast => v(6, 2),
        });
    }
    if CryptoKfunc::from_name(name).is_some() {
        return Some(v(6, 10));
    }
    if let Some(k) = GraphKfunc::from_name(name) {
        return Some(match k {
            GraphKfunc::ListFront
            | GraphKfunc::ListBack
            | GraphKfunc::RbtreeRoot
            | GraphKfunc::RbtreeLeft
            | GraphKfunc::RbtreeRight => v(6, 16),
            GraphKfunc::RefcountAcquireImpl => v(6, 4),
            GraphKfunc::RbtreeAddImpl | GraphKfunc::RbtreeRemove | GraphKfunc::RbtreeFirst => {
                v(6, 3)
            }
            // `bpf_obj_new_impl`, `bpf_obj_drop_impl` and the list kfuncs.
            _ => v(6, 2),
        });
    }
    if let Some(k) = ArenaKfunc::from_name(name) {
        return Some(match k {
            // Not in 6.12.118's `arena.c`, in the 6.18.44 reference kernel's BTF; upstream's
            // 6.17 (its merge window as remembered, not measured here).
            ArenaKfunc::ReservePages => v(6, 17),
            ArenaKfunc::AllocPages | ArenaKfunc::FreePages => v(6, 9),
        });
    }
    if let Some(k) = IterKfunc::from_name(name) {
        return Some(match k.kind() {
            IterKind::Num => v(6, 4),
            IterKind::Bits => v(6, 11),
        });
    }
    if let Some(k) = RcuKfunc::from_name(name) {
        return Some(match k {
            RcuKfunc::ReadLock | RcuKfunc::ReadUnlock => v(6, 2),
            RcuKfunc::PercpuObjNewImpl | RcuKfunc::PercpuObjDropImpl => KernelVersion::PERCPU_OBJ,
        });
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debian_releases_from_uname_v() {
        let deb = "#1 SMP PREEMPT_DYNAMIC Debian 6.1.192-3 (2026-11-20)";
        assert_eq!(
            KernelVersion::from_uname("6.1.0-57-amd64\n", deb),
            Some(KernelVersion::with_patch(6, 1, 192))
        );
        // Already a release: kept; another line in `uname -v`, or none: the parsed release.
        let v12 = "#1 SMP PREEMPT_DYNAMIC Debian 6.12.118-1~deb12u1 (2026-11-21)";
        assert_eq!(
            KernelVersion::from_uname("6.12.118+deb12-amd64", v12),
            Some(KernelVersion::with_patch(6, 12, 118))
        );
        assert_eq!(
            KernelVersion::from_uname("6.1.0-57-amd64", v12),
            Some(KernelVersion::with_patch(6, 1, 0))
        );
        assert_eq!(
            KernelVersion::from_uname("6.18.44-fc-v1300", "#1 SMP PREEMPT_DYNAMIC @0"),
            Some(KernelVersion::with_patch(6, 18, 44))
        );
        assert_eq!(
            KernelVersion::from_uname("6.1.0-57-amd64", "Debian"),
            Some(KernelVersion::with_patch(6, 1, 0))
        );
        assert_eq!(KernelVersion::from_uname("x", deb), None);
    }

    #[test]
    fn parses_releases() {
        assert_eq!(
            KernelVersion::parse("6.18.44-fc-v1252"),
            Some(KernelVersion::with_patch(6, 18, 44))
        );
        assert_eq!(KernelVersion::parse("6.6"), Some(KernelVersion::new(6, 6)));
        assert_eq!(
            KernelVersion::parse(" 6.1.30\n"),
            Some(KernelVersion::with_patch(6, 1, 30))
        );
        assert_eq!(
            KernelVersion::parse("6.1.0-28-amd64"),
            Some(KernelVersion::since(6, 1))
        );
        assert_eq!(
            KernelVersion::parse("6.18-rc3"),
            Some(KernelVersion::since(6, 18))
        );
        assert_eq!(
            KernelVersion::parse("6.12.118+deb13"),
            Some(KernelVersion::with_patch(6, 12, 118))
        );
        for bad in [
            "x",
            "6",
            "6.",
            "6.1.",
            "6.1.x",
            "6.x",
            "6.1x",
            "6.1.2.3",
            "6.1.65535",
            "6.1.99999",
            "-6.1",
            "",
        ] {
            assert_eq!(KernelVersion::parse(bad), None, "{bad}");
        }
        assert!(KernelVersion::new(6, 14) > KernelVersion::DEFAULT);
        assert_eq!(KernelVersion::DEFAULT.to_string(), "6.6");
        assert_eq!(KernelVersion::with_patch(6, 1, 30).to_string(), "6.1.30");
        assert_eq!(KernelVersion::since(6, 9).to_string(), "6.9.0");
    }

    #[test]
    fn patch_levels_order_within_their_line() {
        let v = KernelVersion::with_patch;
        // A gate `since` x.y holds for every x.y release, the line as audited too.
        assert!(v(6, 12, 0) >= KernelVersion::BRANCH_RANGES);
        assert!(KernelVersion::new(6, 12) >= KernelVersion::BRANCH_RANGES);
        assert!(KernelVersion::new(6, 11) < KernelVersion::BRANCH_RANGES);
        assert!(v(6, 1, 30) < KernelVersion::new(6, 1));
        assert!(KernelVersion::new(6, 1) < v(6, 2, 0));
        assert_eq!(v(6, 1, 30).line(), KernelVersion::new(6, 1));
        assert_eq!(v(6, 1, 30).patch_level(), Some(30));
        assert_eq!(KernelVersion::new(6, 1).patch_level(), None);
    }

    #[test]
    fn packed_order_is_major_minor_patch() {
        let parts = [0u16, 1, 6, 18, 255, 256, u16::MAX - 1, u16::MAX];
        let mut all = Vec::new();
        for &a in &parts {
            for &b in &parts {
                for &c in &parts {
                    all.push(KernelVersion::with_patch(a, b, c));
                }
            }
        }
        for x in &all {
            for y in &all {
                let fields = (x.major, x.minor, x.patch).cmp(&(y.major, y.minor, y.patch));
                assert_eq!(x.cmp(y), fields, "{x:?} {y:?}");
                assert_eq!(x.partial_cmp(y), Some(fields));
                assert_eq!(x < y, fields.is_lt());
                assert_eq!(x <= y, fields.is_le());
                assert_eq!(x > y, fields.is_gt());
                assert_eq!(x >= y, fields.is_ge());
            }
        }
    }

    #[test]
    fn backports_hold_from_their_patch_level_in_their_line_only() {
        let v = KernelVersion::with_patch;
        let st = KernelVersion::ST_IMM_SPILL;
        assert!(!v(6, 1, 35).has(st));
        assert!(v(6, 1, 36).has(st) && KernelVersion::new(6, 1).has(st));
        assert!(v(6, 3, 0).has(st) && KernelVersion::DEFAULT.has(st));
        assert!(!KernelVersion::new(6, 2).has(st), "no 6.2.y has it listed");
        let lsh = KernelVersion::LSH32_SIGNED;
        assert!(!v(6, 12, 74).has(lsh) && v(6, 12, 75).has(lsh));
        assert!(KernelVersion::new(6, 12).has(lsh) && KernelVersion::new(6, 18).has(lsh));
        assert!(!KernelVersion::new(6, 14).has(lsh) && !v(6, 18, 43).has(lsh));
        assert!(v(6, 19, 0).has(lsh) && !KernelVersion::DEFAULT.has(lsh));
        assert!(KernelVersion::new(6, 1).has(lsh) && !v(6, 1, 164).has(lsh));
        let tnum = KernelVersion::TNUM_BRANCH;
        assert!(!v(6, 12, 57).has(tnum) && v(6, 12, 58).has(tnum));
        assert!(KernelVersion::new(6, 12).has(tnum) && !KernelVersion::new(6, 14).has(tnum));
        assert!(v(6, 18, 0).has(tnum));
    }

    #[test]
    fn early_stable_releases_missing_assumed_backports_are_not_supported() {
        let v = KernelVersion::with_patch;
        for (k, first) in [(v(6, 12, 80), "6.12.81"), (v(6, 18, 0), "6.18.44")] {
            let why = k.check_supported().unwrap_err();
            assert!(why.contains(&format!("older than {first}")), "{k}: {why}");
        }
        for k in [
            v(6, 1, 0),
            v(6, 1, 27),
            v(6, 1, 99),
            v(6, 1, 100),
            v(6, 1, 190),
            v(6, 6, 0),
            v(6, 6, 13),
            v(6, 6, 47),
            KernelVersion::new(6, 6),
            v(6, 12, 81),
            v(6, 18, 44),
            v(6, 17, 0),
            KernelVersion::new(6, 18),
        ] {
            assert_eq!(k.check_supported(), Ok(()), "{k}");
        }
    }

    #[test]
    fn targets_before_6_1_are_not_supported() {
        for old in ["5.10", "5.15", "6.0", "4.19.300", "3.1"] {
            let v = KernelVersion::parse(old).unwrap();
            let why = v.check_supported().unwrap_err();
            assert!(why.contains("older than 6.1"), "{old}: {why}");
            assert!(why.contains("--kernel 6.1"), "{old}: {why}");
        }
        for ok in ["6.1", "6.1.192", "6.6", "6.12", "6.18.44", "7.0"] {
            assert_eq!(
                KernelVersion::parse(ok).unwrap().check_supported(),
                Ok(()),
                "{ok}"
            );
        }
        assert!(KernelVersion::OLDEST <= KernelVersion::DEFAULT);
    }
}
