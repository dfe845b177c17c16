//! Where checkpoints are stored (`super::prune`): as the kernel's `is_state_visited`, only
//! after 2 jumps and 8 instructions since the last one, where a jump is any instruction of the
//! jump class, calls and `exit` included (`do_check` counts them all in `jmps_processed`).

use super::{verify_with, Report, Rule, Trust, VerifierError, VerifyInput};
use crate::asm::assemble_unchecked;
use crate::ProgramType;

fn run(src: &str) -> Result<Report, Vec<VerifierError>> {
    let a = assemble_unchecked(src).expect("valid text");
    verify_with(
        &VerifyInput::new(&a.insns, ProgramType::Xdp),
        &Trust::none(),
        false,
        false,
    )
}

/// One diamond per helper call: the call and the conditional jump are the 2 jumps since the
/// previous join, so every join gets a checkpoint (counting the conditional jumps alone, every
/// other one would).
#[test]
fn a_helper_call_counts_as_a_jump_for_checkpoints() {
    let mut src = String::from("r7 = 0\n");
    for k in 0..10 {
        src += &format!(
            "call bpf_get_prandom_u32\nif r0 > 100 goto a{k}\nr7 += 1\nr1 = 0\nr2 = 0\n\
             r3 = 0\nr4 = 0\nr5 = 0\nr8 = 0\na{k}:\n"
        );
    }
    src += "r0 = 2\nexit";
    let r = run(&src).expect("accepted");
    // A checkpoint at each of the 10 joins, which prunes the second way into it: each
    // instruction is processed about once (counting conditional jumps alone: 205 processed,
    // 27 pruned).
    assert_eq!((r.states, r.pruned), (10, 10), "{r:?}");
    assert!(r.insns_processed < 120, "{r:?}");
}

/// The checkpoint stored at the join after a call (as above) must not prune the second way
/// there: r7 is 1 on the first way and 0 on the second, and r7 = 0 reaches a read outside the
/// stack frame.
#[test]
fn a_checkpoint_after_a_call_still_compares_what_matters() {
    let src = "
r7 = 0
call bpf_get_prandom_u32
if r0 > 100 goto a
r7 = 1
r1 = 0
r2 = 0
r3 = 0
r4 = 0
r5 = 0
a:
r0 = 2
if r7 != 0 goto ok
r0 = *(u64 *)(r10 + 8)
ok:
exit";
    let e = run(src).expect_err("r7 = 0 reads above the frame");
    assert_eq!(e[0].rule, Rule::StackAccess, "{e:?}");
    run(&src.replace("r7 = 0\ncall", "r7 = 3\ncall")).expect("r7 is never 0");
}

/// 6.18 compares every register live before a checkpoint's instruction (no read marks of
/// registers): `r7` (a stack pointer, -8 on one way, -16 on the other) is read only past a
/// comparison decided never to jump, so no path below the join reads it, yet the second way
/// is not pruned there (28 processed, 2 states, as 6.18.44); 6.12 prunes it (21, 1).
#[test]
fn registers_live_before_the_join_count_from_6_18() {
    let src = "
call bpf_get_prandom_u32
r6 = r0
r1 = 0
*(u64 *)(r10 - 8) = r1
*(u64 *)(r10 - 16) = r1
r7 = r10
r7 += -8
r2 = 0
r3 = 0
if r6 > 10 goto a
r7 = r10
r7 += -16
a:
r8 = 5
if r8 == 6 goto use
r0 = 0
r1 = 0
r2 = 0
r3 = 0
r4 = 0
exit
use:
r0 = *(u64 *)(r7 + 0)
exit";
    let a = assemble_unchecked(src).expect("valid text");
    let counts = |kernel| {
        let mut input = VerifyInput::new(&a.insns, ProgramType::Xdp);
        input.kernel = kernel;
        let r = verify_with(&input, &Trust::none(), false, false).expect("accepted");
        (r.insns_processed, r.states, r.pruned)
    };
    use crate::verifier::target::KernelVersion;
    assert_eq!(counts(KernelVersion::new(6, 18)), (28, 2, 0));
    assert_eq!(counts(KernelVersion::new(6, 12)), (21, 1, 1));
}

/// A slot holding a number whose value never mattered is compared as the kernel's
/// `stacksafe` does, byte by byte: a 2-byte spill of `r7` on one way, a 1-byte one on the
/// other, then a read of the slot: the join does not prune (30 processed, 0 pruned, as
/// 6.18.44), where any two numbers compared equal (22, 1); two 2-byte spills do prune (22,
/// 1, as the kernel). From 6.18 only, where the slots compared are the kernel's
/// (`super::stack_live`).
#[test]
fn narrow_spills_of_other_sizes_differ() {
    let src = "
call bpf_get_prandom_u32
r6 = r0
r1 = 0
r2 = 0
r3 = 0
r4 = 0
r5 = 0
r7 = 0
if r6 > 10 goto a
*(u16 *)(r10 - 8) = r7
goto b
a:
*(u8 *)(r10 - 8) = r7
b:
r8 = 5
r1 = 0
r2 = 0
r3 = 0
r4 = 0
r5 = 0
r0 = *(u8 *)(r10 - 8)
r0 = 0
exit";
    use crate::verifier::target::KernelVersion;
    let counts = |src: &str, kernel| {
        let a = assemble_unchecked(src).expect("valid text");
        let mut input = VerifyInput::new(&a.insns, ProgramType::Xdp);
        input.kernel = kernel;
        let r = verify_with(&input, &Trust::none(), false, false).expect("accepted");
        (r.insns_processed, r.pruned)
    };
    let k618 = KernelVersion::new(6, 18);
    assert_eq!(counts(src, k618), (30, 0));
    let same = src.replace("*(u8 *)(r10 - 8) = r7", "*(u16 *)(r10 - 8) = r7");
    assert_eq!(counts(&same, k618), (22, 1));
    // Before 6.18 (read marks, not the kernel's liveness) any two numbers compare equal.
    assert_eq!(counts(src, KernelVersion::new(6, 12)), (22, 1));
}
