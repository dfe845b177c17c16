//! A static verifier: rejects, before load time, what the kernel's verifier would reject at
//! `BPF_PROG_LOAD`, with messages that name the instruction, the rule and the state that broke
//! it.
//!
//! It is an abstract interpreter over the control-flow graph, modelled on the kernel's
//! (`kernel/bpf/verifier.c`, 6.18): every path is walked with an abstract state (register types,
//! scalar ranges with known bits, stack slots, packet ranges learned from comparisons against
//! `data_end`, null-checked map lookups, call frames), and a path is cut short when its state is
//! covered by one already proven safe at the same instruction.
//!
//! **Soundness first.** A program this verifier accepts should load (as root, i.e. with the
//! kernel's privileged rules). Where it cannot prove something — or where the kernel's
//! behaviour is not modelled (kfuncs other than the XDP metadata, netfilter conntrack, dynptr,
//! `bpf_throw` and BTF cast ones, program types other than XDP, socket filter and tc)
//! — it rejects with a message that says so. Every transfer function is at most as precise as
//! the kernel's, so that it never proves a branch dead that the kernel still walks; where the
//! kernel *loses* precision (a `&`-test forgets ranges, and the loss reaches every register
//! linked to the tested one), this verifier loses it the same way, links included.
//! `tests/verifier_differential.rs` in the workspace checks this against the running kernel,
//! and `tests/kernel_rules/` holds one small program per kernel rule with the kernel's verdict.
//!
//! **The target kernel.** [`VerifyInput::kernel`] (default 6.6, see [`target`]) is the kernel
//! version the program is verified for: what newer verifiers prove (constant-key array lookups
//! that cannot fail, links with a delta, narrow fills, byte-swap tracking, ...) is assumed only
//! for a target that has it. The rest follows kernel 6.18, against which it is tested. The
//! oldest target is 6.1 ([`KernelVersion::OLDEST`]): the gates were audited down to 6.1.192's
//! verifier, not below (5.10's lacks `bpf_loop`, callbacks, kfuncs, `BPF_ATOMIC`, 54 of 6.1's
//! helpers, ...), so an older target is refused as [`Rule::Unsupported`] rather than verified
//! with rules its kernel does not have.
//!
//! Privileged rules it mirrors (audited against `adjust_ptr_min_max_vals`,
//! `check_ptr_alignment`, `check_atomic_rmw`, `check_mem_access`, `check_stack_*`):
//! - pointer arithmetic: only `+=`/`-=` of a number, 64-bit (`w1 -= w2` of pointers gives a
//!   number, any other 32-bit form is refused); never on `data_end`, a map pointer (but
//!   `+= 0`) or a lookup result before its null check; **no subtraction from a stack
//!   pointer**; offsets bounded by ±2^29; `ptr - ptr` gives a number; negating, byte-swapping or
//!   sign-extending a pointer gives a number;
//! - alignment: stack accesses are always aligned; other loads and stores may be misaligned
//!   (x86) unless [`VerifyInput::strict_alignment`] (`BPF_F_STRICT_ALIGNMENT`: every access
//!   aligned to its size, packet pointers counting `NET_IP_ALIGN` = 2; `transfer/align.rs`);
//!   **atomics are aligned on every kind of memory**, judged on the known bits of a
//!   variable offset; atomics refuse the context and the packet, take a pointer operand, and
//!   an 8-byte atomic may hit a spilled pointer (the fetch gives it back); load-acquire and
//!   store-release (targets 6.15 and later) are plain loads and stores, strictly aligned, never
//!   through the context, the packet, a socket or (not modelled) a BTF pointer
//!   (`transfer/ordered.rs`);
//! - pointers may be stored into map values, the packet, the context and ring buffer memory;
//!   to the stack only with an aligned 8-byte store (a spill);
//! - variable stack offsets are allowed when the whole range is in the frame;
//! - reading uninitialised stack gives an unknown number; back-edges (bounded loops) are
//!   allowed; returning a pointer from the program is allowed.
//!
//! **Helpers.** 121 of the 146 helpers Linux 6.18 offers to xdp, tc or socket filter programs
//! are modelled (prototypes in [`crate::isa::helpers::HELPERS`]; which family may call which
//! helper was measured on the running kernel), among them the socket casts `bpf_skc_to_*`
//! and `bpf_tcp_sock` (sharing the socket's reference as the kernel's pointer casts do; the
//! fields of `struct bpf_tcp_sock` are readable), `bpf_sk_storage_get`/`_delete`, and the
//! callbacks of `bpf_loop` and `bpf_for_each_map_elem` (`r2 = my_callback ll`: the callback is
//! verified as a function in its own frame with the helper's arguments, `r0` 0 or 1 at its
//! exit, round after round until a round changes nothing, as the kernel's
//! `push_callback_call`). A lookup in a map of maps gives the inner map
//! ([`crate::MapSpec::inner`]) for the map helpers. Reads through a map pointer walk the map's
//! kernel structure in the kernel's BTF when [`VerifyInput::vmlinux`] is given, as the
//! kernel's `check_ptr_to_map_access` does (pointer members such as `ops` give plain BTF
//! pointers); without it, the number fields of `struct bpf_map` follow the 6.18 layout
//! (`transfer/map_ptr.rs`; targets 6.18 and later) and other reads ask for the BTF.
//! `bpf_spin_lock` / `bpf_spin_unlock` take the `struct bpf_spin_lock` of a map value, at the
//! offset the value's BTF gives (a `BpfSpinLock` field of a `defmap!` value, an object's
//! `.BTF`, `spin_lock=OFFSET` in a `.map` line; `transfer/call/lock.rs`): one lock at a time,
//! released through the same lookup's value, no calls, `LD_ABS` or program exit while it is
//! held, its bytes never loaded or stored, and no socket filter using such a map.
//! `bpf_strncmp` and `bpf_snprintf` take constant strings from frozen read-only maps
//! (`transfer/call/strings.rs`). `bpf_timer_init` / `_set_callback` / `_start` / `_cancel`
//! take the `struct bpf_timer` of a hash, LRU hash or array map's value at the offset its BTF
//! gives (`init` with that same map), and a timer's callback is verified on a path of its own
//! from a fresh frame (`r1` the map, `r2` a key, `r3` the value), returning exactly 0
//! (`transfer/call/timer.rs`). `bpf_this_cpu_ptr` / `bpf_per_cpu_ptr` take a per-CPU kernel
//! variable loaded by its BTF id (`transfer/ksym.rs`, `transfer/call/cpu_ptr.rs`). The other
//! helpers need what this verifier does not model:
//! BTF layouts of map values (`bpf_kptr_xchg`), task/cgroup storage, dynptrs,
//! other callbacks (`bpf_user_ringbuf_drain`, `bpf_find_vma`) or sleepable
//! programs (`bpf_copy_from_user`); a call to one is refused with a message naming it (rule
//! "unknown helper"), and a helper the kernel does not offer to the program type at all with
//! one saying so (rule "helper not allowed").
//!
//! **Frozen read-only data.** A map created with `BPF_F_RDONLY_PROG` and frozen by the loader
//! before the program loads (`.rodata`: libbpf and this workspace's loaders freeze it) has
//! contents the kernel reads while verifying; [`VerifyInput::data`] gives them (the ELF
//! reader's [`crate::elf::Object::data`], a text program's `.map ... init=HEX`). A load at a
//! constant offset of such a one-entry array is then a known number, so a `const volatile`
//! configuration makes the code it switches off dead, as in the kernel; for such an array of
//! more entries the kernel's read fails and the program is refused. `bpf_strncmp` and
//! `bpf_snprintf` take constant strings from such maps (`ARG_PTR_TO_CONST_STR`: constant
//! offset, NUL-terminated within the value), and `bpf_snprintf`'s format is checked as the
//! kernel's `bpf_bprintf_prepare` checks it, against `r5 / 8` arguments (`transfer/rodata.rs`,
//! `transfer/call/strings.rs`). Contents not marked read-only, offsets that are not
//! constant and maps without contents stay unknown.
//!
//! It is stricter than the kernel in places: a variable offset into the context, arithmetic
//! on a lookup result before the null check, helper memory through a variable stack offset,
//! and, except for the 6.18 and 6.12 targets, pointer arithmetic with an offset whose maximum reaches
//! 2^29 (the kernel refuses it when *its* minimum does). The kernel's bounds are never wider
//! than this verifier's but may be tighter, so only a maximum below 2^29 proves the kernel's
//! minimum is: such a path is "tainted" and refused at its end unless an access fails first.
//! The rule is not monotone (a narrower offset can be refused where a wider one passes, and
//! the kernel itself then accepts or refuses depending on which it walks first: the rule
//! cases `alu_big_offset_order_*`), so it cannot be decided on covering bounds alone.
//!
//! For the 6.18 target (and the 6.12 line, measured in QEMU:
//! [`KernelVersion::EXACT_WALK_LINES`]), a program whose only failure is such a taint is walked a second time
//! ([`exact`]): each scalar carries a mark "these bounds are exactly the kernel's on this
//! path", kept by difference (a location keeps its mark only if the instruction did not write
//! it; a written one is marked only when it is a constant, the result of an ALU instruction on
//! marked inputs, a load of a number from a packet, the context or a map value the kernel
//! cannot read while verifying, a fill of a marked or plain stack slot, a spill of a marked
//! register, a quotient or remainder this verifier leaves wholly unknown (the kernel does not
//! track them), or the result of a helper such as `bpf_get_prandom_u32` that both leave wholly
//! unknown). A comparison of numbers keeps the marks of what it refines (the operands and
//! their linked copies, on each branch) when both operands are marked, distinct and not copies
//! of one value (the refinement and the branch decision are then the kernel's), and drops them
//! otherwise; a loop head where the kernel may widen imprecise scalars (`may_goto`, iterators,
//! callbacks) and a new frame drop every mark (but a static subprogram's arguments, copies of
//! the caller's). That walk prunes a
//! state only by a checkpoint that covers it on every location *and* whose marked values are
//! marked with the same bounds in it, so every path the kernel walks is walked there with the
//! kernel's bounds on every marked location. A marked offset is then judged as the kernel
//! judges it (its minimum), and the pointer's variable offset after it passes when this
//! verifier's maximum of the pointer's part plus the offset's minimum is below 2^29 (the
//! kernel's minimum cannot be larger), or its minimum of the pointer's part plus the offset's
//! minimum (minus its maximum for `-=`) when that part's minimum is known to be exactly the
//! kernel's: a constant part, or one built only of marked additions and subtractions whose
//! bound in question is one of the scalar's values (`transfer/ptr_exact.rs`: the kernel's
//! minimum is then that sum, one of its values, and this verifier's).
//! The walk's own failure is the verdict; out of budget
//! (the kernel's instruction limit), the taint stands. The marks are checked against the
//! kernel's states by the state oracle (`tools/state-compare/compare.py`'s (X) reports: none
//! over the rule cases and the kernel selftests) and by `tests/tests/verifier_offset_fuzz.rs`;
//! the uses of the pointers it lets through by `tests/tests/verifier_bigptr_fuzz.rs`.
//! Other targets keep the taint: their transfers were not checked live. The taint's message
//! names the `trust_begin_` / `trust_end_` labels for a program the kernel accepts.
//!
//! ## Kernel structures through BTF pointers
//!
//! With the target kernel's BTF ([`VerifyInput::vmlinux`], the CLI's `--btf
//! /sys/kernel/btf/vmlinux`), the fields of kernel structures behind `PTR_TO_BTF_ID` pointers
//! are read as the kernel's `btf_struct_access` reads them (`transfer/btf_access.rs`): through
//! the socket casts' `struct tcp_sock *` ..., `bpf_cast_to_kern_ctx`'s `struct sk_buff *` /
//! `struct xdp_buff *` (trusted) and `bpf_rdonly_cast`'s pointer (untrusted; its type id comes
//! from `bpf_core_type_id_kernel`, resolved by the ELF reader against the same BTF). A scalar
//! member gives a number of the load's size, a pointer member a BTF pointer whose flags and
//! `PTR_MAYBE_NULL` follow the kernel's (`__safe_rcu_or_null` ... lists of the BTF); accesses
//! past a member or the structure, partial pointer reads and every write are refused with the
//! kernel's reason. `bpf_sk_assign`, the syncookie helpers and the casts take such pointers
//! where the kernel does (`ARG_PTR_TO_BTF_ID_SOCK_COMMON`). Without the BTF, such a program is
//! refused with a message asking for it ([`needs_vmlinux`]).
//!
//! ## Global functions
//!
//! A function whose BTF `FUNC` has linkage `BTF_FUNC_GLOBAL` ([`VerifyInput::globals`]: from
//! an object's `.BTF.ext` func_info, [`crate::elf::ElfProgram::globals`], or a text's
//! `.global_func NAME(ARGS)`, [`crate::asm::globaldecl`]) is verified as the kernel does
//! (`transfer/call/global.rs`): a call checks only its arguments against the prototype
//! (numbers, the unmodified context, NULL or memory of the pointee's size, writable, whose
//! stack bytes the call clobbers; `btf_check_func_arg_match`), after which `r0` is an unknown
//! number and `r1`-`r5` are clobbered; after the main program, each global function a path
//! called is verified once on its own from its argument types and must return a number
//! (`do_check_subprogs`). So a body that is safe only with what its callers pass is refused,
//! as by the kernel, and a function called from many places is walked once (katran's
//! `xdpdecap`: 1,107 instructions processed, the kernel 1,125; 2,885 when walked at each call).
//! The other functions are static: walked at every call.
//!
//! ## Trusting one call or one range (the scalpel)
//!
//! When the kernel accepts a program this verifier cannot prove (or a helper it does not
//! model), the rest of the program can stay verified: a `trust_call_<name>:` label on a
//! `call` takes that one helper call on trust, and `trust_begin_<name>:` ...
//! `trust_end_<name>:` labels take the instructions between them on trust. Labels read the
//! same in a text program and in `defprogram!`, and change nothing in what is loaded (the
//! kernel still verifies everything). [`trust`] specifies the state after each precisely
//! (after a call: `r0` an unknown number, `r1`-`r5` clobbered, packet pointers invalidated,
//! the stack forgotten if a stack pointer was passed; after a range: every register it writes
//! an unknown number, the stack forgotten if it stores, packet pointers invalidated if it
//! calls) and what a range must look like (entered at its start, left at its end, no `exit`).
//! `defprogram!` and [`verify_trusting`] honour the labels ([`Trust::from_labels`]);
//! [`verify`] trusts nothing. `verify = structural` remains for emergencies.
//!
//! ```text
//!     r6 = r1
//!     r2 = 0
//! trust_call_csum:
//!     call bpf_csum_update      # not modelled here: taken on trust
//!     r0 = 0                    # verified as usual
//!     exit
//! ```
//!
//! ## Agreement with the kernel
//!
//! `tests/tests/verifier_differential.rs` (workspace-tests) generates programs with injected
//! mistakes and compares verdicts with `BPF_PROG_LOAD` on kernel 6.18.44 (x86_64, as root,
//! the verifier targeting the running kernel). With the default seed:
//!
//! | program type  | programs | accept/accept | reject/reject | false accept | false reject |
//! |---------------|---------:|--------------:|--------------:|-------------:|-------------:|
//! | xdp           |     6000 |          2802 |          3186 |            0 |           12 |
//! | socket_filter |     3000 |          1740 |          1256 |            0 |            4 |
//! | sched_cls     |     3000 |          1460 |          1538 |            0 |            2 |
//!
//! (False rejects: 0.30% of the programs the kernel accepts; 0.38% before the scalar domain
//! kept the kernel's 32-bit bounds across instructions, 2.3% before the 32-bit comparisons,
//! links with deltas, narrow spills, byte swaps and known-bit products were modelled.)
//! Other seeds (`VERIFIER_DIFF_SEED=n VERIFIER_DIFF_PROGRAMS=4000`, 12,000 programs each; 70
//! runs while this was written) and `tests/tests/verifier_link_fuzz.rs` (links, deltas, spills
//! and fills of every size, sign-extending moves, 32- and 64-bit comparisons; 2,000 programs
//! in CI, `LINK_FUZZ_SEED` for more) found six false accepts on the way — a wrapping 32-bit
//! product, a refinement the kernel spreads through a `-=` link, a pointer offset whose minimum
//! only the kernel knows to be past 2^29, and three shapes of registers linked to each other
//! compared (the kernel breaks some of their links) — each fixed and kept as a rule case. The
//! final code gave none on the default seed and 6 others (84,000 programs) and on 72,000
//! fuzzed programs (0.37% false rejects there). The conformance corpus (vendored in `tests/data/bpf_conformance`) gives the kernel's
//! verdict on all 313 programs, and the 345 kernel rule cases (`ebpf-dsl/tests/kernel_rules`)
//! agree with the kernel but for 5 known false rejects. On the kernel's own verifier selftests
//! (`tools/verifier-selftests`): 859 of 865 expressible cases agree (99.3%; callbacks, maps
//! of maps and global data included), 0 false accepts, 6 false rejects. On real clang-compiled programs
//! (`tools/real-programs`): 128 of the 130 entry points it can read agree, 0 false accepts, 2
//! false rejects (`bpf_spin_lock`); all 817 mutants with one safety check deleted agree (0
//! false accepts, 0 false rejects; 7 false rejects before frozen `.rodata` was known).
//!
//! ## Speed
//!
//! A 10,000-instruction packet parser (`speed_10k_instructions` in `tests/verifier.rs`) is
//! verified in about 0.03 s by a debug build (2 shared cores). The generated 10,000-instruction
//! program of the benchmark (`bench-progs compile`, `BENCHMARKS.md`) takes about 2.5 ms
//! optimised, a fifth of the kernel's own verification time for it; what made it fast: states
//! share their frames' stack slots copy-on-write, so cloning a state at a branch or a prune
//! point copies the registers but not 64 stack slots. `defprogram!` runs the verifier in the
//! proc macro, which Cargo builds without optimisation unless a profile sets
//! `[profile.dev.build-override] opt-level = 3`; the whole macro on such a program (tokens,
//! assembler, checks, verifier, expansion) takes about 0.3 s, 0.1 s of it in the verifier
//! (`expand_10k_instruction_program` in `ebpf-dsl-macros`), so the workspace needs no such
//! override. The worst case is a program whose paths come near the kernel's limit of
//! 1,000,000 processed instructions (a long bounded loop, `r1 += 1; if r1 < 600000 goto`):
//! about 4.5 s in a debug build (1.5 s before liveness and precision were tracked, which costs
//! per instruction but keeps real loops far from the limit).
//!
//! ## Loops
//!
//! Pruning follows the kernel's `is_state_visited` (see `prune.rs` and `deps.rs`): a state is
//! covered by an explored one that agrees with it on what the exploration below that one
//! *read* (liveness) and, for scalars, on the values that *mattered* (precision: a branch
//! walked one way only, a pointer offset, a helper argument, the return value); checkpoints
//! that keep failing to prune are dropped, and a loop that comes back to the exact state of
//! an unfinished round is refused at once ("infinite loop detected"). On the loop-heavy
//! parsers of `tests/support/loops.rs` (IPv6 extension headers, TCP options, VLAN tags with a
//! DSCP rewrite, byte sums, nested loops, a stack-held counter) it processes 0.89 to 1.00
//! times the instructions kernel 6.18.44 does (`tests/tests/verifier_loops.rs`; it stores a
//! loop's rounds as the kernel does, every 20 jumps or 100 instructions), where exact pruning
//! with at most 64 states per instruction needed 10 to 31 times as many or hit the 1,000,000
//! limit; `prune_tests.rs` checks on random loops that it never accepts what exact pruning
//! rejects.
//!
//! Where kernel 6.18 is *less* precise than a textbook analysis, this verifier copies it (a
//! branch it proves dead but the kernel walks could hide an error): a `&`-test forgets ranges
//! and keeps known bits; the 64-bit signed range is *assigned* from the 32-bit one when that is
//! non-negative (so `s<= 8` then `<= 9` leaves `smax = 9`), a signed comparison drops an
//! unsigned range that crosses the sign bit; sign-extending moves are precise only within one 2^n block; byte swaps, division
//! and modulo give unknown values; before 6.18, a copy with a constant of 2^29 or more added is
//! refused as a pointer offset (6.18.44 judges it by its bounds alone: the rule cases
//! `link_delta_big_offset_*`).
//!
//! ## Structure
//!
//! Organised as PREVAIL is, from the bottom up:
//! - `domain/`: the values and their operations, with no knowledge of instructions or rules —
//!   `tnum` (known bits), `scalar` (ranges, 64- and 32-bit, and links between copies), `state`
//!   (registers, stack slots, frames; inclusion and join for pruning), `arith` (ALU arithmetic
//!   on scalars), `refine` / `refine32` (deciding and refining comparisons) and `branch` (what a
//!   comparison does to linked registers, null checks and packet ranges);
//! - `transfer/`: one file per instruction class (`alu`, with `alu_memo`: each instruction's
//!   last scalar operation remembered, for a loop's next round; `atomic`, `memory`, `stack`,
//!   `jump`, `ld_imm64`, `call/` with helper arguments, the XDP and netfilter kfuncs,
//!   `bpf_throw` and the exception callback (`call/throw.rs`) and bpf-to-bpf calls with
//!   `exit`, `may_goto`, `trust`); in each, the kernel's rules are checked by functions that
//!   only reject (`check_*`), apart from the ones that compute the state after the instruction,
//!   and each file has unit tests that apply one instruction to a state built by hand;
//! - `driver.rs`: the worklist of paths, pruning checkpoints (`prune.rs`, `deps.rs`), the
//!   dispatch of each instruction to its transfer function and the whole-program stack check;
//!   `cfg.rs` decodes and checks the control flow first; after the walk, `dead_code.rs` and
//!   `jump_range.rs` replay what the kernel's rewrites after verification refuse (function
//!   references into removed code, jumps whose 16-bit offset the rewrites overflow: inlined
//!   map lookups, helpers and `bpf_loop`, division checks, `LD_ABS`, `may_goto`, context
//!   field conversions, each counted by `jump_growth.rs`).
//!
//! `tests/layers.rs` checks that `domain/` uses nothing of the layers above it.
//!
//! ```
//! use ebpf_dsl::verifier::{verify, VerifyInput};
//! use ebpf_dsl::{Insn, ProgramType};
//! // r0 = 2 (XDP_PASS); exit
//! let prog = [Insn::new(0xb7, 0, 0, 0, 2), Insn::new(0x95, 0, 0, 0, 0)];
//! assert!(verify(&VerifyInput::new(&prog, ProgramType::Xdp)).is_ok());
//! // exit without setting r0
//! let bad = [Insn::new(0x95, 0, 0, 0, 0)];
//! let errs = verify(&VerifyInput::new(&bad, ProgramType::Xdp)).unwrap_err();
//! assert!(errs[0].message.contains("r0"));
//! ```

use core::fmt;
use std::collections::HashMap;

use crate::isa::insn::AluOp;
use crate::spec::RelocKind;

mod alu_memo;
mod arena;
mod call_depth;
pub(crate) mod cfg;
mod chunks;
mod context;
pub mod ctx;
mod dead_code;
mod deps;
mod deps_call;
pub(crate) mod domain;
mod driver;
pub mod dump;
pub mod exact;
#[cfg(test)]
mod helper_dump_tests;
pub mod helpers;
mod history;
mod input;
mod jump_growth;
mod jump_range;
mod lock_layout;
mod map_create;
mod mask;
#[cfg(test)]
mod old_target_tests;
pub(crate) mod ops;
mod pc_lists;
#[cfg(test)]
mod prec_prune_tests;
mod prune;
#[cfg(test)]
mod prune_args_tests;
#[cfg(test)]
mod prune_call_tests;
#[cfg(test)]
mod prune_evict_tests;
#[cfg(test)]
mod prune_frames_tests;
#[cfg(test)]
mod prune_head_tests;
mod prune_hint;
#[cfg(test)]
mod prune_place_tests;
#[cfg(test)]
mod prune_scc_tests;
#[cfg(test)]
mod prune_tests;
mod ptr_types;
mod stack_depth;
mod stack_live;
#[cfg(test)]
#[path = "stack_prune_tests.rs"]
mod stack_prune_tests;
#[cfg(test)]
mod tail_call_pkt_tests;
pub mod target;
pub mod trace;
mod transfer;
pub mod trust;
#[cfg(test)]
mod uninit_stack_tests;

pub use input::{VerifyInput, BPF_F_XDP_DEV_BOUND_ONLY};
pub use map_create::{MapAttr, MapCreationError, MAP_CREATE_REFERENCE};
pub use target::{kfunc_since, Backported, KernelVersion};
pub use trust::Trust;

use domain::state::{self, Frame, State};

/// Whether the kernel release `kernel` offers helper `id` to programs of type `pt`, by the
/// table this verifier checks calls against (Linux 6.18's, with the release gates of
/// [`target`]): a kernel that refuses one of these was built or patched without it
/// (see [`VerifyInput::unavailable_helpers`]). `false` for a type this verifier does
/// not model.
pub fn offered_to(id: u32, pt: crate::spec::ProgramType, kernel: KernelVersion) -> bool {
    helpers::family(pt).is_some_and(|f| transfer::offered_to(id, f, kernel))
}

/// Whether `e` refuses a program only because [`VerifyInput::vmlinux`] was not given (it reads
/// through a BTF pointer, or calls `bpf_cast_to_kern_ctx` / `bpf_rdonly_cast`): a caller that
/// decodes the kernel's BTF only when needed verifies again with it.
pub fn needs_vmlinux(e: &VerifierError) -> bool {
    e.rule == Rule::Unsupported && e.message.ends_with(transfer::NEEDS_BTF)
}

/// Statistics of a successful verification.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Report {
    /// Instructions processed over all paths (the kernel's `processed N insns`).
    pub insns_processed: usize,
    /// States kept for pruning.
    pub states: usize,
    /// Paths cut short because an explored state covered them.
    pub pruned: usize,
    /// Deepest stack use of the main program, in bytes.
    pub stack_depth: u32,
}

/// The rule a rejected program broke.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Rule {
    /// Malformed instruction, bad jump, bad function layout.
    Structure,
    /// An instruction no path reaches.
    Unreachable,
    /// A register read before any write.
    UninitRegister,
    /// A write to `r10`.
    FramePointer,
    /// A load or store through something that is not a valid pointer.
    MemoryAccess,
    /// A packet access not proven within `data_end`.
    PacketBounds,
    /// A map value access outside the value.
    MapValueBounds,
    /// A stack access outside the 512-byte frame, misaligned, or a bad spill/fill.
    StackAccess,
    /// A context field access this program type does not allow.
    ContextAccess,
    /// Use of a possibly-NULL lookup result.
    NullCheck,
    /// Pointer arithmetic the kernel forbids.
    PointerArithmetic,
    /// A pointer stored or returned where it would leak.
    PointerLeak,
    /// A helper this verifier does not know.
    UnknownHelper,
    /// A helper this program type (or license) may not call.
    HelperNotAllowed,
    /// A helper argument of the wrong type or size.
    HelperArgument,
    /// A map of the wrong type for the helper, or one the target kernel refuses to create
    /// ([`MapSpec::creation_check`](crate::spec::MapSpec::creation_check)).
    MapCompatibility,
    /// A bad value at program exit.
    ReturnValue,
    /// Division or modulo by the constant zero.
    DivisionByZero,
    /// Shift by a constant out of range.
    InvalidShift,
    /// A loop that can run forever.
    InfiniteLoop,
    /// Too many instructions or states to explore.
    Complexity,
    /// Too deep calls, recursion, or too much combined stack.
    CallStack,
    /// A ring buffer reservation not submitted or discarded, or a socket not released.
    ReferenceLeak,
    /// An `ld_imm64` map reference that no relocation / map spec explains.
    MapReference,
    /// Something this verifier does not model (rejected rather than guessed).
    Unsupported,
}

impl Rule {
    /// Every rule, in declaration order.
    pub const ALL: [Rule; 25] = [
        Rule::Structure,
        Rule::Unreachable,
        Rule::UninitRegister,
        Rule::FramePointer,
        Rule::MemoryAccess,
        Rule::PacketBounds,
        Rule::MapValueBounds,
        Rule::StackAccess,
        Rule::ContextAccess,
        Rule::NullCheck,
        Rule::PointerArithmetic,
        Rule::PointerLeak,
        Rule::UnknownHelper,
        Rule::HelperNotAllowed,
        Rule::HelperArgument,
        Rule::MapCompatibility,
        Rule::ReturnValue,
        Rule::DivisionByZero,
        Rule::InvalidShift,
        Rule::InfiniteLoop,
        Rule::Complexity,
        Rule::CallStack,
        Rule::ReferenceLeak,
        Rule::MapReference,
        Rule::Unsupported,
    ];

    /// A short name for the rule.
    pub fn name(self) -> &'static str {
        match self {
            Rule::Structure => "structure",
            Rule::Unreachable => "unreachable code",
            Rule::UninitRegister => "uninitialised register",
            Rule::FramePointer => "read-only frame pointer",
            Rule::MemoryAccess => "invalid memory access",
            Rule::PacketBounds => "packet bounds",
            Rule::MapValueBounds => "map value bounds",
            Rule::StackAccess => "stack access",
            Rule::ContextAccess => "context access",
            Rule::NullCheck => "missing null check",
            Rule::PointerArithmetic => "pointer arithmetic",
            Rule::PointerLeak => "pointer leak",
            Rule::UnknownHelper => "unknown helper",
            Rule::HelperNotAllowed => "helper not allowed",
            Rule::HelperArgument => "helper argument",
            Rule::MapCompatibility => "map/helper compatibility",
            Rule::ReturnValue => "return value",
            Rule::DivisionByZero => "division by zero",
            Rule::InvalidShift => "invalid shift",
            Rule::InfiniteLoop => "infinite loop",
            Rule::Complexity => "too complex",
            Rule::CallStack => "call stack",
            Rule::ReferenceLeak => "reference leak",
            Rule::MapReference => "map reference",
            Rule::Unsupported => "not modelled",
        }
    }
}

impl fmt::Display for Rule {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// One reason to reject a program.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct VerifierError {
    /// The offending instruction (slot index).
    pub insn_index: usize,
    /// The rule it broke.
    pub rule: Rule,
    /// What happened, with the state that broke the rule and what to do.
    pub message: String,
}

impl fmt::Display for VerifierError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "instruction {}: {} [{}]",
            self.insn_index, self.message, self.rule
        )
    }
}

impl std::error::Error for VerifierError {}

/// The kernel's limit of processed instructions (`BPF_COMPLEXITY_LIMIT_INSNS`).
pub const MAX_PROCESSED: usize = 1_000_000;
/// The kernel's limit of pending branches (`BPF_COMPLEXITY_LIMIT_JMP_SEQ`).
pub const MAX_PENDING: usize = 8192;

/// True for the license strings the kernel treats as GPL-compatible (`license_is_gpl_compatible`).
pub fn license_is_gpl_compatible(l: &str) -> bool {
    matches!(
        l,
        "GPL"
            | "GPL v2"
            | "GPL and additional rights"
            | "Dual BSD/GPL"
            | "Dual MIT/GPL"
            | "Dual MPL/GPL"
    )
}

/// Empties the calling thread's memo tables (the scalar domain's caches of pure functions:
/// bounds synchronisation, ALU results, branch refinements), as in a fresh thread. Verdicts
/// never depend on them; a measurement does: a program verified a second time on one thread
/// finds its own results there (`ebpf-dsl check --stats --warm` empties them between its
/// untimed and its timed run).
///
/// ```
/// use ebpf_dsl::verifier::{forget_memos, verify, VerifyInput};
/// use ebpf_dsl::ProgramType;
/// let p = ebpf_dsl::asm::assemble("r1 = 7\nr1 *= 3\nr0 = 0\nexit").unwrap();
/// let first = verify(&VerifyInput::new(&p.insns, ProgramType::Xdp)).unwrap();
/// forget_memos();
/// let again = verify(&VerifyInput::new(&p.insns, ProgramType::Xdp)).unwrap();
/// assert_eq!(first.insns_processed, again.insns_processed);
/// ```
pub fn forget_memos() {
    domain::kernel_alu::clear();
    domain::cond_values::clear();
    domain::scalar::memo::clear();
}

/// Verifies a program. On rejection, the errors are in instruction order (structural errors
/// may be several; path errors stop at the first, like the kernel's).
pub fn verify(input: &VerifyInput) -> Result<Report, Vec<VerifierError>> {
    verify_trusting(input, &Trust::none())
}

/// [`verify`], taking the calls and ranges of `trust` on trust (see [`trust`]: the rest of
/// the program is verified as usual).
pub fn verify_trusting(input: &VerifyInput, trust: &Trust) -> Result<Report, Vec<VerifierError>> {
    verify_with(input, trust, false, false)
}

/// [`verify_trusting`]; with `exact_pruning`, a state is pruned only by one that covers it on
/// every location (no liveness or precision): the reference the pruning tests compare with;
/// with `every_prune_point`, a checkpoint is stored at every prune point (the kernel's
/// `BPF_F_TEST_STATE_FREQ`).
pub(crate) fn verify_with(
    input: &VerifyInput,
    trust: &Trust,
    exact_pruning: bool,
    every_prune_point: bool,
) -> Result<Report, Vec<VerifierError>> {
    verify_with_tracer(input, trust, exact_pruning, every_prune_point, None)
}

/// The refusal, before any path is walked, of a program holding a call of a kfunc the target
/// kernel does not have ([`kfunc_since`]), anywhere, unreachable code included: such a kernel's
/// BTF lacks the kfunc, so the loader (libbpf, or this crate's) cannot resolve the call, and
/// the kernel resolves every kfunc call instruction at load (`add_subprog_and_kfunc`,
/// `add_kfunc_call`: "kernel btf_id N is not a function"), whether a path reaches it or not.
/// The first such call is named. (6.1.192 and 6.12.118 refused `__bpf_trap` on a path never
/// taken, and 6.1.192 `bpf_iter_num_new`, measured in QEMU.)
fn check_kfunc_targets(input: &VerifyInput, ops: &[cfg::Op]) -> Result<(), Vec<VerifierError>> {
    let missing = ops.iter().enumerate().find_map(|(pc, op)| match *op {
        cfg::Op::Call {
            helper,
            kfunc: true,
        } => {
            let name = crate::xdp::netfilter::kfunc_name(helper)?;
            let since = kfunc_since(name)?;
            (input.kernel < since).then_some((pc, name, since))
        }
        _ => None,
    });
    let Some((pc, name, since)) = missing else {
        return Ok(());
    };
    Err(vec![VerifierError {
        insn_index: pc,
        rule: Rule::HelperNotAllowed,
        message: kfunc_missing_message(name, since, input.kernel),
    }])
}

/// The message of a call of the kfunc `name`, which first appeared in Linux `since`, for an
/// older `target` (the pre-pass's and the walk's).
pub(crate) fn kfunc_missing_message(
    name: &str,
    since: KernelVersion,
    target: KernelVersion,
) -> String {
    let since = since.line();
    format!(
        "{name} needs Linux {since}, but the target kernel is {target} (see verifier::target): that kernel's BTF has no {name}, and every kfunc call is resolved when the program is loaded, even on a path never taken (libbpf cannot resolve the extern; given by BTF id, the kernel: kernel btf_id N is not a function)"
    )
}

/// The kernel's refusal, before any path is walked (`add_subprog_and_kfunc`), of a program
/// whose licence is not GPL-compatible and that holds a kfunc call anywhere, unreachable
/// code included: the call at the first such instruction is named.
fn check_kfunc_license(input: &VerifyInput, ops: &[cfg::Op]) -> Result<(), Vec<VerifierError>> {
    if license_is_gpl_compatible(input.license) {
        return Ok(());
    }
    let Some(pc) = ops
        .iter()
        .position(|op| matches!(op, cfg::Op::Call { kfunc: true, .. }))
    else {
        return Ok(());
    };
    let name = match ops[pc] {
        cfg::Op::Call { helper, .. } => crate::xdp::netfilter::kfunc_name(helper)
            .map(|n| format!("`{n}`"))
            .unwrap_or_else(|| format!("kfunc id {helper}")),
        _ => String::new(),
    };
    Err(vec![VerifierError {
        insn_index: pc,
        rule: Rule::HelperNotAllowed,
        message: format!(
            "the call of {name} is a kernel function (kfunc) call, which only GPL-compatible programs may hold, even on a path never taken (the kernel, before verifying: cannot call kernel function from non-GPL compatible program), but the license is \"{}\"",
            input.license
        ),
    }])
}

/// [`verify_with`], recording what the pruning does into `tracer` ([`trace`]).
pub(crate) fn verify_with_tracer(
    input: &VerifyInput,
    trust: &Trust,
    exact_pruning: bool,
    every_prune_point: bool,
    tracer: trace::Tracer,
) -> Result<Report, Vec<VerifierError>> {
    // A target older than the oldest audited one is refused, whatever the program.
    if let Err(message) = input.kernel.check_supported() {
        return Err(vec![VerifierError {
            insn_index: 0,
            rule: Rule::Unsupported,
            message,
        }]);
    }
    // Kernels before 6.12 make bounds agree the older, shorter way (for this verification).
    let _sync_mode =
        domain::scalar::memo::old_sync_while(input.kernel < KernelVersion::BOUNDS_SYNC);
    if let Some(message) = crate::spec::too_many_insns(input.insns.len()) {
        return Err(vec![VerifierError {
            insn_index: 0,
            rule: Rule::Complexity,
            message,
        }]);
    }
    arena::check_arena_maps(input)?;
    // The kernel checks the kernel objects loaded by BTF id in its pass over the opcodes.
    let ops = cfg::decode(input.insns).map_err(|e| {
        transfer::check_pseudo_btf_ids(input, e.insn_index)
            .err()
            .unwrap_or(vec![e])
    })?;
    transfer::check_pseudo_btf_ids(input, input.insns.len())?;
    driver::cpu_v4_loads(input.insns, input.kernel).map_err(|e| vec![e])?;
    check_kfunc_targets(input, &ops)?;
    check_kfunc_license(input, &ops)?;
    transfer::check_dev_bound(input, &ops)?;
    let cfg = cfg::check_with_roots(&ops, &transfer::exception_roots(input))?;
    if !input.kernel.has(KernelVersion::FALLTHROUGH_BACK_EDGE) {
        cfg::check_old_back_edges(&ops).map_err(|e| vec![e])?;
    }
    cfg::check_subprog_exits(&ops, &cfg, input.func_info)?;
    trust.check(&ops).map_err(|e| vec![e])?;
    if helpers::family(input.prog_type).is_none() {
        return Err(vec![VerifierError {
            insn_index: 0,
            rule: Rule::Unsupported,
            message: format!(
                "{} programs are not modelled by this verifier (it knows xdp, socket_filter, sched_cls, sched_act); skip the static verification for this program",
                input.prog_type
            ),
        }]);
    }
    let map_refs = map_refs(input)?;
    check_map_creation(input, &map_refs)?;
    transfer::check_globals(input, &ops, &cfg)?;
    transfer::check_exception_cb(input, &ops)?;
    transfer::check_direct_value_refs(input)?;
    transfer::check_lock_maps(input, &map_refs)?;
    let mut ex = context::Exec::new(input, &ops, &cfg, map_refs.clone()).with_trust(trust.clone());
    ex.tracer = tracer;
    match ex.run(exact_pruning, every_prune_point) {
        // The 2^29 class (`exact`): the path failed only for an offset whose minimum this
        // verifier could not show is the kernel's; a second walk that knows which bounds are
        // exactly the kernel's decides as the kernel does. It prunes as the first walk (the
        // kernel's liveness and precision), a checkpoint's marked locations that matter below
        // it compared exactly (`exact::prunes_masked`); comparing every location (no liveness
        // or precision, as the dump's walk) ran out of budget on a 200,000-instruction program
        // (Auto_XDP's Minecraft handler).
        Err(first) if !exact_pruning && exact::decides(input.kernel) && exact::is_taint(&first) => {
            let mut ex = context::Exec::new(input, &ops, &cfg, map_refs).with_trust(trust.clone());
            ex.exact_decide = true;
            match ex.run(false, false) {
                Ok(report) => Ok(report),
                // Out of budget: the first walk's doubt stands.
                Err(second) if second.rule == Rule::Complexity => Err(vec![first]),
                Err(second) => Err(vec![second]),
            }
        }
        r => r.map_err(|e| vec![e]),
    }
}

/// The kernel's refusal to create a map the program names, for the target kernel
/// ([`MapSpec::creation_check`](crate::spec::MapSpec::creation_check)), reported at the first
/// instruction that names it.
fn check_map_creation(
    input: &VerifyInput,
    map_refs: &HashMap<usize, (u16, RelocKind)>,
) -> Result<(), Vec<VerifierError>> {
    let mut first: Vec<(usize, u16)> = map_refs.iter().map(|(&pc, &(m, _))| (pc, m)).collect();
    first.sort_unstable();
    let mut seen = Vec::new();
    let mut errors = Vec::new();
    for (pc, m) in first {
        if seen.contains(&m) {
            continue;
        }
        seen.push(m);
        // A loader passes at most 15 characters of the name (libbpf, cilium/ebpf and the
        // CLI's `--map` truncate it; `defmap!` refuses a longer one itself): the map is
        // created under that prefix, so a longer name is no refusal here.
        let spec = &input.maps[m as usize];
        let truncated;
        let spec = if spec.name.chars().count() > crate::spec::BPF_OBJ_NAME_MAX {
            let mut t = spec.clone();
            t.name = spec
                .name
                .chars()
                .take(crate::spec::BPF_OBJ_NAME_MAX)
                .collect::<String>()
                .into();
            truncated = t;
            &truncated
        } else {
            spec
        };
        if let Err(e) = spec.creation_check(input.kernel) {
            errors.push(VerifierError {
                insn_index: pc,
                rule: Rule::MapCompatibility,
                message: e.message,
            });
        }
    }
    if errors.is_empty() {
        Ok(())
    } else {
        Err(errors)
    }
}

/// Which map (index into [`VerifyInput::maps`]) and which kind of reference each relocated
/// `ld_imm64` names; an error for each relocation naming a map that was not given.
pub(crate) fn map_refs(
    input: &VerifyInput,
) -> Result<HashMap<usize, (u16, RelocKind)>, Vec<VerifierError>> {
    // Sized once: a program with many relocations (one per map reference) would otherwise
    // rehash every entry at each doubling.
    let mut map_refs: HashMap<usize, (u16, RelocKind)> =
        HashMap::with_capacity(input.relocations.len());
    let mut errors = Vec::new();
    for r in input.relocations {
        match input.maps.iter().position(|m| m.name_str() == r.symbol) {
            Some(i) => {
                map_refs.insert(r.insn_index, (i as u16, r.kind));
            }
            None => errors.push(VerifierError {
                insn_index: r.insn_index,
                rule: Rule::MapReference,
                message: format!("the map `{}` is referenced but its spec (type, key and value size) was not given", r.symbol),
            }),
        }
    }
    if errors.is_empty() {
        Ok(map_refs)
    } else {
        Err(errors)
    }
}

pub(crate) fn initial_state() -> State {
    let mut f = Frame::new(0, 0, 0);
    f.regs[1] = state::RegVal::Ctx { off: 0 };
    State {
        frames: vec![f],
        refs: Vec::new(),
        next_id: 0,
        taint: None,
        may_goto_depth: 0,
        lock: None,
        rcu: false,
        exact: exact::Exact::default(),
    }
}

pub(crate) fn alu_name(op: AluOp) -> &'static str {
    match op {
        AluOp::Add => "+=",
        AluOp::Sub => "-=",
        AluOp::Mul => "*=",
        AluOp::Div => "/=",
        AluOp::Or => "|=",
        AluOp::And => "&=",
        AluOp::Lsh => "<<=",
        AluOp::Rsh => ">>=",
        AluOp::Neg => "= -",
        AluOp::Mod => "%=",
        AluOp::Xor => "^=",
        AluOp::Mov => "=",
        AluOp::Arsh => "s>>=",
        AluOp::End => "byte swap",
    }
}
