//! The kernel's SCC visits (`super::prune`'s `scc` module): once a callback's first round has
//! converged at its call inside a loop, every state of that loop is compared by range until
//! the loop's first state is explored, precise or not. The counts are Linux 6.18.44's
//! (`ebpf-dsl load --verbose` of the same programs, the rule cases
//! `cb_loop_outer_range_within*.s`).

use super::target::KernelVersion;
use super::{verify_with, Report, Rule, Trust, VerifierError, VerifyInput};
use crate::asm::assemble_unchecked;
use crate::ProgramType;

/// A loop of `rounds` rounds around a `bpf_loop` call whose callback returns 0, then a number
/// from a map value decides a branch that spills 0 or 1 (kernel_rules/
/// cb_loop_outer_range_within.s with another bound).
fn outer_loop(rounds: u32) -> String {
    format!(
        ".map cbv array key=4 value=8 max_entries=1
r6 = r1
r2 = 0
*(u32 *)(r10 - 4) = w2
r2 = r10
r2 += -4
r1 = cbv ll
call 1
if r0 == 0 goto out
r8 = r0
r7 = 0
round:
r1 = 0
*(u64 *)(r10 - 24) = r1
r1 = 16
r2 = cb ll
r3 = r10
r3 += -24
r4 = 0
call 181
w1 = *(u32 *)(r8 + 0)
r2 = 0
if r1 > 5 goto join
r2 = 1
join:
*(u64 *)(r10 - 32) = r2
r7 += 1
if r7 < {rounds} goto round
out:
r0 = 0
exit
cb:
r0 = 0
exit
"
    )
}

fn run(rounds: u32) -> Result<Report, Vec<VerifierError>> {
    let src = outer_loop(rounds);
    let a = assemble_unchecked(&src).expect("valid text");
    let input = VerifyInput::new(&a.insns, ProgramType::Xdp)
        .with_kernel(KernelVersion::new(6, 18))
        .with_maps(&a.relocations, &a.maps);
    verify_with(&input, &Trust::none(), false, false)
}

/// Linux 6.18 processes 78 (8 states) at 2 rounds up to 6,195 (437) at 16, and stops at its
/// limit at 40; ours pruned the other branch's path at the join by the checkpoint's marks
/// (59 at 2 rounds, 462 at 16, 1,158 at 40: a false accept by complexity).
#[test]
fn a_loop_around_a_converged_callback_compares_every_state_by_range() {
    for (rounds, insns, states) in [
        (2, 78, 8),
        (4, 191, 19),
        (8, 720, 59),
        (12, 2132, 159),
        (16, 6195, 437),
    ] {
        let r = run(rounds).expect("accepted");
        assert_eq!(
            (r.insns_processed, r.states),
            (insns, states),
            "{rounds} rounds"
        );
    }
    let e = run(40).expect_err("too complex");
    assert_eq!(e[0].rule, Rule::Complexity, "{e:?}");
}
