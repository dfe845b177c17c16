//! Loops in real parsers, without the kernel: the loop-heavy parsers of `support/loops.rs`
//! verify (processed-instruction counts printed, and bounded by a generous documented ceiling
//! so that a pruning regression shows), and loops without progress are refused as the kernel
//! refuses them ("infinite loop detected") after a handful of instructions rather than at the
//! 1,000,000-instruction limit. `tests/tests/verifier_loops.rs` in the workspace compares the
//! counts with the running kernel's.

#[path = "support/loops.rs"]
mod loops;

use ebpf_dsl::asm::assemble_unchecked as assemble;
use ebpf_dsl::verifier::{verify, Report, Rule, VerifierError, VerifyInput};
use ebpf_dsl::ProgramType;

fn run(src: &str) -> Result<Report, Vec<VerifierError>> {
    let a = assemble(src).unwrap_or_else(|e| panic!("assembly failed: {e:?}\n{src}"));
    verify(&VerifyInput::new(&a.insns, ProgramType::Xdp))
}

/// The kernel (6.18.44) needs at most 100,581 instructions for any of these parsers
/// (`tcp_options`; the others under 4,000), and we store checkpoints in loops as it does, so
/// our counts are close to its own (`tests/tests/verifier_loops.rs` compares them); twice
/// that means pruning broke.
const CEILING: usize = 200_000;

#[test]
fn parsers_verify_within_the_ceiling() {
    let mut table = String::from("program            processed  states  pruned\n");
    let mut over = Vec::new();
    for (name, src) in loops::PARSERS {
        let r = run(src).unwrap_or_else(|e| panic!("{name}: expected acceptance, got {e:#?}"));
        table += &format!(
            "{name:<18} {:>9} {:>7} {:>7}\n",
            r.insns_processed, r.states, r.pruned
        );
        if r.insns_processed > CEILING {
            over.push(format!("{name}: {}", r.insns_processed));
        }
    }
    println!("{table}");
    assert!(over.is_empty(), "over the ceiling of {CEILING}: {over:?}");
}

#[test]
fn loops_without_progress_are_infinite() {
    for (name, src) in loops::NO_PROGRESS {
        let e = run(src).expect_err(name);
        assert_eq!(e[0].rule, Rule::InfiniteLoop, "{name}: {e:?}");
        assert!(
            e[0].message.contains("infinite loop detected"),
            "{name}: {}",
            e[0].message
        );
    }
}

/// A mistake inside a loop body is still found on a later round, after pruning skipped the
/// rounds before it: the bound check of the 5th byte is one short (reads 2 bytes, checks 1).
#[test]
fn a_late_round_mistake_is_found() {
    let src = "
r2 = *(u32 *)(r1 + 0)
r3 = *(u32 *)(r1 + 4)
r6 = 0
r7 = 0
l:
r4 = r2
r4 += r7
r5 = r4
r5 += 1
if r5 > r3 goto out
if r7 != 5 goto one
r5 = *(u16 *)(r4 + 0)
goto acc
one:
r5 = *(u8 *)(r4 + 0)
acc:
r6 += r5
r7 += 1
if r7 < 16 goto l
out:
r0 = 2
exit";
    let e = run(src).expect_err("the 2-byte read past the checked byte");
    assert_eq!(e[0].rule, Rule::PacketBounds, "{e:?}");
    // The same loop with the check widened to 2 bytes verifies.
    assert!(run(&src.replace("r5 += 1\n", "r5 += 2\n")).is_ok());
}

/// A scalar that only mattered as "some number" in the loop decides something after it: the
/// byte read selects the stack offset of a store when it is 0 (the precision mark must reach
/// the loop's checkpoints, or the path with r6 = 16 would be pruned by the one with r6 = 0).
#[test]
fn precision_reaches_earlier_rounds() {
    let src = "
r2 = *(u32 *)(r1 + 0)
r3 = *(u32 *)(r1 + 4)
r6 = 0
r7 = 0
l:
r4 = r2
r4 += r7
r5 = r4
r5 += 1
if r5 > r3 goto out
r5 = *(u8 *)(r4 + 0)
if r5 != 0 goto skip
r6 = 16
skip:
r7 += 1
if r7 < 4 goto l
r1 = r10
r1 += -16
r1 += r6
*(u64 *)(r1 + 0) = 0
out:
r0 = 2
exit";
    // r6 is 0 or 16: the store is at r10 - 16 or at r10 + 0, outside the frame.
    let e = run(src).expect_err("a store at r10 + 0");
    assert_eq!(e[0].rule, Rule::StackAccess, "{e:?}");
    assert!(run(&src.replace("r6 = 16", "r6 = 8")).is_ok());
}
