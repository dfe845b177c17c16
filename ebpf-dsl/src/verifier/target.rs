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

mod gates;
mod kfuncs;
#[cfg(test)]
mod tests;

pub use kfuncs::kfunc_since;

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
