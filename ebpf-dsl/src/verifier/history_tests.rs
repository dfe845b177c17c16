//! The checkpoint forced by a long instruction history (`super`): the processed and stored
//! counts are the running kernel's (6.18.44, `ebpf-dsl load --log`: "processed N insns ...
//! total_states S").

use super::super::{verify_with, Report, Trust, VerifyInput};
use crate::asm::assemble_unchecked;
use crate::verifier::target::KernelVersion;
use crate::ProgramType;

fn run(src: &str, kernel: KernelVersion) -> Report {
    let a = assemble_unchecked(src).expect("valid text");
    let mut input = VerifyInput::new(&a.insns, ProgramType::Xdp);
    input.kernel = kernel;
    verify_with(&input, &Trust::none(), false, false).expect("accepted")
}

/// A path stores a checkpoint at `p` (the join after the first comparison), then runs `n`
/// instructions `access` (each given the offset of one of 8 slots) and reaches the comparison
/// `if r6 > 20`, a prune point 0 jumps after that checkpoint: stored there only when the
/// accesses made the history longer than 40 entries. The other way of the first comparison
/// (`r8` 2, precise) is not pruned at `p`; at the second comparison it is pruned by the
/// checkpoint stored there, if any.
fn program(pre: &str, n: usize, access: &str) -> String {
    let mut s = String::from(
        "call bpf_get_prandom_u32\nr6 = r0\nr8 = 2\nr1 = 0\nr2 = 0\nr3 = 0\nr4 = 0\nr5 = 0\n",
    );
    s += pre;
    s += "if r6 > 10 goto p\nr8 = 1\np:\nif r8 == 7 goto bad\n";
    for k in 0..n {
        s += &access.replace("{o}", &(8 * (k % 8 + 1)).to_string());
        s += "\n";
    }
    s += "if r6 > 20 goto q\n";
    s += &"r0 = 1\n".repeat(20);
    s += "q:\nr0 = 2\nexit\nbad:\nr0 = 0\nexit\n";
    s
}

fn counts(src: &str, kernel: KernelVersion) -> (usize, usize) {
    let r = run(src, kernel);
    (r.insns_processed, r.states)
}

const K618: KernelVersion = KernelVersion::new(6, 18);

/// 45 spills (8-byte and 1-byte stores of a number at the start of a slot) make the history
/// long: a checkpoint at the second comparison (5 states, 150 processed, as the kernel); 38
/// do not (3 states, 134).
#[test]
fn spills_make_a_long_history() {
    let spill = "*(u64 *)(r10 - {o}) = r6";
    assert_eq!(counts(&program("", 45, spill), K618), (150, 5));
    assert_eq!(counts(&program("", 38, spill), K618), (134, 3));
    let narrow = "*(u8 *)(r10 - {o}) = r6";
    assert_eq!(counts(&program("", 45, narrow), K618), (150, 5));
}

/// A byte stored inside a slot is no spill (`STACK_MISC`): no entry, no checkpoint (3 states,
/// 148 processed, as the kernel).
#[test]
fn a_store_inside_a_slot_records_nothing() {
    let mut src = program("", 45, "*(u8 *)(r10 - {o}) = r6");
    for k in 1..=8 {
        src = src.replace(
            &format!("(r10 - {}) = r6", 8 * k),
            &format!("(r10 - {}) = r6", 8 * k - 1),
        );
    }
    assert_eq!(counts(&src, K618), (148, 3));
}

/// Fills of spilled registers: whole, or narrower from the slot's start, record an entry (5
/// states, 158 processed); a narrow load from the middle of a spilled number does not
/// restore it (3 states, 156), as the kernel.
#[test]
fn fills_of_spills_make_a_long_history() {
    let pre: String = (1..=8)
        .map(|k| format!("*(u64 *)(r10 - {}) = r6\n", 8 * k))
        .collect();
    assert_eq!(
        counts(&program(&pre, 45, "r9 = *(u64 *)(r10 - {o})"), K618),
        (158, 5)
    );
    assert_eq!(
        counts(&program(&pre, 45, "r9 = *(u32 *)(r10 - {o})"), K618),
        (158, 5)
    );
    let middle = program(&pre, 45, "r9 = *(u32 *)(r10 - {o})")
        .replace("r9 = *(u32 *)(r10 - 8)\n", "r9 = *(u32 *)(r10 - 4)\n");
    assert_eq!(counts(&middle, K618), (156, 3));
    // Zeros stored as immediates are spills of 0 too.
    let zeros: String = (1..=8)
        .map(|k| format!("*(u64 *)(r10 - {}) = 0\n", 8 * k))
        .collect();
    assert_eq!(
        counts(&program(&zeros, 45, "r9 = *(u64 *)(r10 - {o})"), K618),
        (158, 5)
    );
}

/// Before 6.12 a long history forces nothing (6.1's `is_state_visited` has no such rule).
#[test]
fn no_forced_checkpoint_before_6_12() {
    let spill = "*(u64 *)(r10 - {o}) = r6";
    assert_eq!(
        counts(&program("", 45, spill), KernelVersion::new(6, 6)),
        (148, 3)
    );
}

/// The kernel's jump points: branch and `goto` targets, the instruction after a call, a
/// local call's target.
#[test]
fn jump_points_are_targets_and_returns() {
    let a = assemble_unchecked(
        "call f\nif r0 > 1 goto a\nr0 = 0\na:\ngoto b\nr0 = 1\nb:\nr0 = 0\nexit\nf:\ncall bpf_get_prandom_u32\nr0 = 0\nexit",
    )
    .expect("valid text");
    let ops: Vec<_> = super::super::ops::decode(&a.insns).expect("decodes");
    let jp = super::super::cfg::jmp_points(&ops);
    let at: Vec<usize> = (0..jp.len()).filter(|&i| jp[i]).collect();
    // 1: after `call f`; 3: `a`; 5: `b`; 7: `f`; 8: after the helper call.
    assert_eq!(at, vec![1, 3, 5, 7, 8]);
}
