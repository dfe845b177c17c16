//! Pruning with liveness and precision against exact pruning, on random loop-heavy programs:
//! a program that exact pruning (every location compared, the sound reference) rejects for
//! any reason but complexity must not be accepted with liveness and precision — that would be
//! a state pruned by one that did not really cover it. `PRUNE_FUZZ_SEED=n` and
//! `PRUNE_FUZZ_PROGRAMS=n` explore other corpora.

use std::fmt::Write as _;

use super::{verify_with, Rule, Trust, VerifyInput};
use crate::asm::assemble_unchecked;
use crate::ProgramType;

struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
    fn pick<T: Copy>(&mut self, xs: &[T]) -> T {
        xs[self.below(xs.len() as u64) as usize]
    }
}

/// Value registers the body plays with (r2/r3 hold data/data_end, r9 the counter, r1/r4/r5
/// are scratch).
const VALS: [&str; 3] = ["r6", "r7", "r8"];

/// Reloads data/data_end after a call (the context is kept at r10 - 32).
const RELOAD: &str = "r1 = *(u64 *)(r10 - 32)\nr2 = *(u32 *)(r1 + 0)\nr3 = *(u32 *)(r1 + 4)";

/// Which subprograms a program calls (emitted after the main program).
#[derive(Default)]
struct Subs {
    mask: bool,
    put: bool,
    /// Cross-frame cases: a callee reading a caller's slot through a pointer and branching on
    /// it (`get`), a callee whose own safety depends on a caller's slot (`peek`), a call chain
    /// three frames deep writing to the outermost frame (`deep`).
    get: bool,
    peek: bool,
    deep: bool,
    /// Stack stores and loads of 1, 2 and 4 bytes too (narrow spills, bytes written into a
    /// spilled slot, known zeros past a narrow spill), not only 8-byte ones.
    narrow: bool,
}

/// One random statement of a loop body (or of the code after the loop); `k` makes labels
/// unique.
fn statement(rng: &mut Rng, out: &mut String, k: usize, subs: &mut Subs) {
    let a = rng.pick(&VALS);
    match rng.below(25) {
        19..=21 => {
            // A guard: a risky statement only when a condition holds.
            let op = rng.pick(&["==", "!=", ">", "<", "&"]);
            let imm = rng.pick(&[0, 1, 8, 40, 64]);
            let _ = writeln!(out, "if {a} {op} {imm} goto g{k}");
            // With narrow accesses, a stack store or load on one way only too (the slot then
            // differs between the two paths at the join).
            let risky = if subs.narrow {
                rng.pick(&[7, 8, 18, 9, 5, 6])
            } else {
                rng.pick(&[7, 8, 18, 9])
            };
            statement_kind(rng, out, k, subs, risky);
            let _ = writeln!(out, "g{k}:");
        }
        22..=24 => {
            let s = rng.pick(&[8, 16, 24]);
            let b = rng.pick(&VALS);
            match rng.below(4) {
                3 => {
                    // A helper with four arguments, the size from a value register.
                    let _ = writeln!(
                        out,
                        "r1 = *(u64 *)(r10 - 32)\nr2 = 0\nr3 = r10\nr3 += -24\nr4 = {a}\ncall bpf_xdp_load_bytes\n{RELOAD}"
                    );
                }
                0 => {
                    subs.get = true;
                    let _ = writeln!(out, "r1 = r10\nr1 += -{s}\ncall get\n{b} = r0\n{RELOAD}");
                }
                1 => {
                    subs.peek = true;
                    let _ = writeln!(out, "r1 = r10\nr1 += -{s}\ncall peek\n{RELOAD}");
                }
                _ => {
                    subs.deep = true;
                    subs.put = true;
                    subs.mask = true;
                    let _ = writeln!(
                        out,
                        "r1 = {a}\nr2 = r10\nr2 += -{s}\ncall deep\n{b} = r0\n{RELOAD}"
                    );
                }
            }
        }
        n => statement_kind(rng, out, k, subs, n),
    }
}

fn statement_kind(rng: &mut Rng, out: &mut String, k: usize, subs: &mut Subs, kind: u64) {
    let a = rng.pick(&VALS);
    let b = rng.pick(&VALS);
    match kind {
        12 => {
            let _ = writeln!(out, "call bpf_get_prandom_u32\n{a} = r0\n{RELOAD}");
        }
        13 => {
            // Moves the packet start: every packet pointer, spilled ones included, is stale.
            let _ = writeln!(
                out,
                "r1 = *(u64 *)(r10 - 32)\nr2 = {a}\nr2 &= 15\ncall bpf_xdp_adjust_head\n{RELOAD}"
            );
        }
        14 => {
            // A spilled packet pointer, used after a fill.
            let _ = writeln!(
                out,
                "r4 = r2\nr4 += 14\n*(u64 *)(r10 - 40) = r4\nr4 = *(u64 *)(r10 - 40)\nr5 = r4\nr5 += 1\nif r5 > r3 goto out\n{a} = *(u8 *)(r4 + 0)"
            );
        }
        15 => {
            let imm = rng.pick(&[1, 8, 40, 64]);
            let v = rng.pick(&[0, 32, 70]);
            let _ = writeln!(out, "if w{} < {imm} goto s{k}\n{b} = {v}\ns{k}:", &a[1..]);
        }
        16 => {
            subs.mask = true;
            let _ = writeln!(out, "r1 = {a}\ncall mask\n{b} = r0\n{RELOAD}");
        }
        17 => {
            subs.put = true;
            let s = rng.pick(&[8, 16, 24]);
            let _ = writeln!(out, "r1 = r10\nr1 += -{s}\nr2 = {a}\ncall put\n{RELOAD}");
        }
        18 => {
            // The pointer spilled at r10 - 40 (if any, and still a pointer) read again.
            let _ = writeln!(
                out,
                "r4 = *(u64 *)(r10 - 40)\nr5 = r4\nr5 += 1\nif r5 > r3 goto out\n{a} = *(u8 *)(r4 + 0)"
            );
        }
        0 => {
            // A packet byte behind its bounds check.
            let c = rng.below(48);
            let _ = writeln!(
                out,
                "r4 = r2\nr4 += {}\nif r4 > r3 goto out\n{a} = *(u8 *)(r2 + {c})",
                c + 1
            );
        }
        1 => {
            // A data-dependent branch that changes a value one way.
            let op = rng.pick(&["==", "!=", ">", "<", "s>", "&"]);
            let imm = rng.pick(&[0, 1, 3, 7, 16, 64, 200]);
            let v = rng.pick(&[0, 1, 8, 16, 40, 64]);
            let _ = writeln!(out, "if {a} {op} {imm} goto s{k}\n{b} = {v}\ns{k}:");
        }
        2 => {
            let _ = writeln!(out, "{a} += {b}");
        }
        3 => {
            let m = rng.pick(&[7, 15, 31, 63, 255]);
            let _ = writeln!(out, "{a} &= {m}");
        }
        4 => {
            let v = rng.pick(&[0, 1, 8, 24, 56, 64, 70]);
            let _ = writeln!(out, "{a} = {v}");
        }
        5 => {
            let s = rng.pick(&[8, 16, 24]);
            if subs.narrow && rng.below(3) != 0 {
                // (size, byte in the slot): a narrow spill at the slot's start, or bytes
                // written further in (which scrub a spilled register), a value or a zero.
                let (size, at) = rng.pick(&[("u32", 0), ("u16", 0), ("u16", 4), ("u32", 4)]);
                // A constant too: the same on every path, so only the slot's old content
                // can tell two paths apart after the store.
                let v = rng.pick(&[a, "0", "5"]);
                let _ = writeln!(out, "*({size} *)(r10 - {}) = {v}", s - at);
            } else {
                let _ = writeln!(out, "*(u64 *)(r10 - {s}) = {a}");
            }
        }
        6 => {
            let s = rng.pick(&[8, 16, 24]);
            if subs.narrow && rng.below(3) != 0 {
                let (size, at) = rng.pick(&[("u32", 0), ("u16", 0), ("u16", 4), ("u32", 4)]);
                let _ = writeln!(out, "{a} = *({size} *)(r10 - {})", s - at);
            } else {
                let _ = writeln!(out, "{a} = *(u64 *)(r10 - {s})");
            }
        }
        7 => {
            // A stack store at a variable offset: out of the frame unless `a` is small.
            let _ = writeln!(out, "r1 = r10\nr1 += -64\nr1 += {a}\n*(u8 *)(r1 + 0) = 0");
        }
        8 => {
            // A packet read at a variable offset: needs `a` bounded and the check.
            let _ = writeln!(
                out,
                "r4 = r2\nr4 += {a}\nr5 = r4\nr5 += 1\nif r5 > r3 goto out\n{b} = *(u8 *)(r4 + 0)"
            );
        }
        9 => {
            // A copy (linked) bounded, the original used.
            let _ = writeln!(
                out,
                "r5 = {a}\nif r5 > 40 goto out\nr4 = r2\nr4 += {a}\nr1 = r4\nr1 += 1\nif r1 > r3 goto out\n{b} = *(u8 *)(r4 + 0)"
            );
        }
        10 => {
            let _ = writeln!(out, "if {a} > {b} goto out");
        }
        _ => {
            let _ = writeln!(out, "{a} = {b}");
        }
    }
}

fn program(rng: &mut Rng, narrow: bool) -> String {
    let mut s = String::from(
        "*(u64 *)(r10 - 32) = r1\nr2 = *(u32 *)(r1 + 0)\nr3 = *(u32 *)(r1 + 4)\n*(u64 *)(r10 - 40) = r2\n",
    );
    let mut subs = Subs {
        narrow,
        ..Subs::default()
    };
    for v in VALS {
        let _ = writeln!(s, "{v} = {}", rng.pick(&[0, 1, 8, 16]));
    }
    for off in [8, 16, 24] {
        let v = rng.pick(&[0, 4, 32]);
        if narrow {
            // Known zeros past a narrow spill: a 4-byte load of the slot's second half reads 0
            // until a store there, or an 8-byte one, makes it unknown.
            let _ = writeln!(
                s,
                "*(u32 *)(r10 - {}) = 0\n*(u32 *)(r10 - {off}) = {v}",
                off - 4
            );
        } else {
            let _ = writeln!(s, "*(u64 *)(r10 - {off}) = {v}");
        }
    }
    let n = rng.pick(&[3, 6, 12]);
    s += "r9 = 0\nloop:\n";
    let mut k = 0;
    for _ in 0..2 + rng.below(6) {
        statement(rng, &mut s, k, &mut subs);
        k += 1;
    }
    let _ = writeln!(s, "r9 += 1\nif r9 < {n} goto loop");
    for _ in 0..1 + rng.below(3) {
        statement(rng, &mut s, k, &mut subs);
        k += 1;
    }
    s += "out:\nr0 = 2\nexit\n";
    if subs.mask {
        s += "mask:\nr0 = r1\nr0 &= 63\nexit\n";
    }
    if subs.put {
        s += "put:\n*(u64 *)(r1 + 0) = r2\nr0 = 0\nexit\n";
    }
    if subs.get {
        s += "get:\nr0 = *(u64 *)(r1 + 0)\nif r0 > 40 goto get_big\nr0 += 1\nexit\nget_big:\nr0 = 70\nexit\n";
    }
    if subs.peek {
        s += "peek:\nr2 = *(u64 *)(r1 + 0)\nif r2 > 70 goto peek_out\nr3 = r10\nr3 += -64\nr3 += r2\n*(u8 *)(r3 + 0) = 0\npeek_out:\nr0 = 0\nexit\n";
    }
    if subs.deep {
        s += "deep:\nr6 = r1\nr1 = r2\nr2 = r6\nif r2 > 8 goto deep_put\nr2 = 64\ndeep_put:\ncall put\nr1 = r6\ncall mask\nexit\n";
    }
    s
}

#[test]
fn liveness_and_precision_never_accept_what_exact_pruning_rejects() {
    against_exact_pruning(0x100b_5eed, false);
}

/// The same with 1-, 2- and 4-byte stack stores and loads: a narrow store that leaves nothing
/// of a slot's old content ends what the slot's value depended on (`deps::store`), one that
/// leaves known zeros does not.
#[test]
fn narrow_stack_stores_never_accept_what_exact_pruning_rejects() {
    against_exact_pruning(0x5107_eba5, true);
}

/// Random programs (`narrow`: with narrow stack accesses) verified with liveness and precision
/// and with exact pruning (see the module documentation).
fn against_exact_pruning(seed: u64, narrow: bool) {
    let env = |k: &str, d: u64| {
        std::env::var(k)
            .ok()
            .and_then(|v| v.parse().ok())
            .unwrap_or(d)
    };
    let mut rng = Rng(env("PRUNE_FUZZ_SEED", seed) | 1);
    let programs = env("PRUNE_FUZZ_PROGRAMS", 600);
    let (mut both_ok, mut both_err, mut fewer) = (0, 0, 0u64);
    let (mut ours_total, mut exact_total) = (0usize, 0usize);
    for _ in 0..programs {
        let src = program(&mut rng, narrow);
        let a = assemble_unchecked(&src).expect("the generator writes valid text");
        let input = VerifyInput::new(&a.insns, ProgramType::Xdp);
        // Half the programs with a checkpoint at every prune point, so that the marks are
        // exercised wherever a state may be pruned.
        let every = rng.below(2) == 0;
        let exact = verify_with(&input, &Trust::none(), true, every);
        let ours = verify_with(&input, &Trust::none(), false, every);
        match (&exact, &ours) {
            (Err(e), Ok(_)) if e[0].rule != Rule::Complexity => {
                panic!("accepted with liveness/precision, rejected exactly: {e:?}\n{src}")
            }
            (Ok(x), Ok(o)) => {
                both_ok += 1;
                exact_total += x.insns_processed;
                ours_total += o.insns_processed;
                if o.insns_processed < x.insns_processed {
                    fewer += 1;
                }
            }
            (Err(x), Err(o)) => {
                both_err += 1;
                if x[0].rule != Rule::Complexity && o[0].rule != Rule::Complexity {
                    assert_eq!(
                        x[0].insn_index, o[0].insn_index,
                        "the same error is found first\n{src}"
                    );
                }
            }
            (Ok(_), Err(o)) => assert_eq!(
                o[0].rule,
                Rule::Complexity,
                "rejected only with liveness/precision: {o:?}\n{src}"
            ),
            (Err(_), Ok(_)) => {}
        }
    }
    println!(
        "{programs} programs: {both_ok} accepted by both ({fewer} with fewer instructions; {ours_total} vs {exact_total} in all), {both_err} rejected by both"
    );
    assert!(
        both_ok * 5 > programs as usize,
        "too few accepted programs to measure anything"
    );
    assert!(
        both_err * 10 > programs as usize,
        "too few rejected programs to measure anything"
    );
}

fn run(src: &str, every: bool) -> Result<super::Report, Vec<super::VerifierError>> {
    let a = assemble_unchecked(src).expect("valid text");
    verify_with(
        &VerifyInput::new(&a.insns, ProgramType::Xdp),
        &Trust::none(),
        false,
        every,
    )
}

/// A bound learned from another register (`if r6 > r7`) makes that register's value matter:
/// the path with r7 = 100 must not be pruned by the one with r7 = 8 (in either order).
#[test]
fn a_bound_from_another_register_is_precise() {
    for (cond, first, second) in [("!=", 8, 100), ("==", 100, 8)] {
        let src = format!(
            "
r2 = *(u32 *)(r1 + 0)
r3 = *(u32 *)(r1 + 4)
r4 = r2
r4 += 2
if r4 > r3 goto out
r6 = *(u8 *)(r2 + 0)
r5 = *(u8 *)(r2 + 1)
r7 = {first}
if r5 {cond} 0 goto c
r7 = {second}
c:
if r6 > r7 goto out
r1 = r10
r1 += -64
r1 += r6
*(u8 *)(r1 + 0) = 0
out:
r0 = 2
exit"
        );
        for every in [false, true] {
            let e = run(&src, every).expect_err("r6 up to 100 past r10 - 64");
            assert_eq!(e[0].rule, Rule::StackAccess, "{e:?}");
            let ok = src.replace("r7 = 100", "r7 = 60");
            assert!(run(&ok, every).is_ok());
        }
    }
}

/// A loop whose paths differ only in a value never used exactly is pruned at every round it
/// has a checkpoint for (1,000 rounds: the kernel's 40,902 processed instructions and 2,176
/// states on 6.18.44, ours the same since rounds are stored as the kernel stores them, every
/// 20 jumps or 100 instructions); exact pruning walks a path per value of the accumulator at
/// each round it has no checkpoint for (over 100 times more at 22 rounds; at 20 rounds before
/// the kernel's `miss_cnt` rule kept more checkpoints in the loop).
#[test]
fn an_imprecise_accumulator_does_not_stop_pruning() {
    let src = |n: u32| {
        format!(
            "
r2 = *(u32 *)(r1 + 0)
r3 = *(u32 *)(r1 + 4)
r6 = 0
r7 = 0
l:
r4 = r2
r4 += 1
if r4 > r3 goto out
r5 = *(u8 *)(r2 + 0)
if r5 > 9 goto big
r6 += 1
goto next
big:
r6 += 2
next:
r7 += 1
if r7 < {n} goto l
out:
r0 = 2
exit"
        )
    };
    let long = run(&src(1000), false).expect("accepted");
    assert!(long.insns_processed <= 40_902, "{long:?}");
    let exact = |n| {
        let a = assemble_unchecked(&src(n)).unwrap();
        verify_with(
            &VerifyInput::new(&a.insns, ProgramType::Xdp),
            &Trust::none(),
            true,
            false,
        )
    };
    let short = run(&src(22), false).expect("accepted");
    let walked = exact(22).expect("accepted");
    assert!(
        short.insns_processed * 100 < walked.insns_processed,
        "{short:?} vs {walked:?}"
    );
}

#[test]
fn a_callers_argument_registers_are_dead_below_a_local_call() {
    use super::domain::scalar::Scalar;
    use super::domain::state::{covers_calls, Frame, RegVal, State};
    let two_frames = |r2: u64, r6: u64| -> State {
        let mut st = super::initial_state();
        st.frames[0].regs[2] = RegVal::Scalar(Scalar::konst(r2));
        st.frames[0].regs[6] = RegVal::Scalar(Scalar::konst(r6));
        st.frames.push(Frame::new(1, 3, 1));
        st
    };
    let mut local = vec![false; 8];
    local[3] = true;
    let (old, new) = (two_frames(1, 7), two_frames(2, 7));
    // Below a bpf-to-bpf call at 3, the caller's r2 is dead (cleared on return).
    assert!(covers_calls(&old, &new, 0x7ff, &local));
    // Below a helper's callback, the call runs again with it: compared.
    assert!(!covers_calls(&old, &new, 0x7ff, &[false; 8]));
    // The callee-saved r6 is compared either way.
    assert!(!covers_calls(&old, &two_frames(1, 8), 0x7ff, &local));
}

/// Known zeros past a narrow spill are part of the slot's old content that a 4-byte store at
/// its start leaves: at the join, the slot of the path with zeros there must not cover the
/// one without (a load of the second half is 0 on one path, unknown on the other, and an
/// unknown offset into the packet is refused).
#[test]
fn the_zeros_a_narrow_spill_leaves_keep_the_slot_live() {
    let src = "
r9 = r1
*(u32 *)(r10 - 4) = 0
*(u32 *)(r10 - 8) = 0
call bpf_get_prandom_u32
r6 = 5
r2 = *(u32 *)(r9 + 0)
r3 = *(u32 *)(r9 + 4)
if r0 > 10 goto other
goto join
other:
*(u64 *)(r10 - 8) = r0
join:
*(u32 *)(r10 - 8) = r6
r7 = *(u32 *)(r10 - 4)
r4 = r2
r4 += r7
r5 = r4
r5 += 1
if r5 > r3 goto out
r0 = *(u8 *)(r4 + 0)
out:
r0 = 2
exit";
    for every in [false, true] {
        let e = run(src, every).expect_err("the second path's offset is unknown");
        assert_eq!(e[0].insn_index, 17, "{e:?}");
    }
}

/// A narrow store that leaves nothing of a slot's old content (a 4-byte store into the second
/// half of a spilled register's slot scrubs it: every byte it did not write is unknown) ends
/// what the slot depended on: the slot's different old values on two paths do not keep the
/// second from being pruned at the join.
#[test]
fn a_narrow_store_that_scrubs_a_slot_ends_its_old_sources() {
    let src = "
r2 = *(u32 *)(r1 + 0)
*(u64 *)(r10 - 8) = r2
call bpf_get_prandom_u32
if r0 > 10 goto other
*(u64 *)(r10 - 8) = r0
goto join
other:
*(u64 *)(r10 - 8) = r10
join:
*(u32 *)(r10 - 4) = r0
r7 = *(u64 *)(r10 - 8)
r0 = 2
exit";
    let r = run(src, true).expect("accepted");
    assert_eq!(r.pruned, 1, "{r:?}");
}
