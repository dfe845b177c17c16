//! `may_goto` (`BPF_JMP | BPF_JCOND`, `src = BPF_MAY_GOTO`, Linux 6.9).
//!
//! At run time the kernel rewrites the instruction into a countdown of a hidden 8-byte stack
//! slot (its `do_misc_fixups`): while the count lasts, execution falls through; once it is
//! spent, the jump is taken. The verifier therefore explores both successors, as the kernel's
//! `check_cond_jmp_op` does: the current path takes the jump, the fall-through is queued with
//! its `may_goto` depth one higher. A loop that comes back to the `may_goto` through the
//! fall-through, in a state an unfinished checkpoint there covers, is bounded by the counter and
//! pruned (see [`super::super::prune`]); one that comes back through the jump with the same
//! depth and the same state is an infinite loop, as for any other jump.
//!
//! The counter's slot lies beyond the program's own stack; with a JIT (x86-64, arm64, ...)
//! the kernel accepts it even past 512 bytes, so it is not counted in the stack depth here.

use super::super::domain::state::State;
use super::{Exec, Step};

impl Exec<'_> {
    /// The `may_goto` at `pc` jumping to `target`.
    pub(crate) fn may_goto(&self, pc: usize, st: &State, target: usize) -> Step {
        let mut fall = st.clone();
        fall.may_goto_depth = fall.may_goto_depth.saturating_add(1);
        Step::Branch {
            other_pc: pc + 1,
            other: Box::new(fall),
            pc: target,
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::asm::assemble_unchecked;
    use crate::verifier::{verify, Rule, VerifyInput};
    use crate::ProgramType;

    fn check(src: &str) -> Result<(), Rule> {
        let a = assemble_unchecked(src).expect("assembles");
        let input = VerifyInput::new(&a.insns, ProgramType::SocketFilter)
            .with_kernel(crate::verifier::KernelVersion::MAY_GOTO);
        verify(&input).map(|_| ()).map_err(|e| e[0].rule)
    }

    #[test]
    fn older_targets_refuse_it() {
        let a = assemble_unchecked("may_goto +0x1\nr0 = 0\nexit").expect("assembles");
        let input = VerifyInput::new(&a.insns, ProgramType::SocketFilter);
        assert_eq!(
            verify(&input).map(|_| ()).map_err(|e| e[0].rule),
            Err(Rule::Structure)
        );
    }

    #[test]
    fn a_loop_through_the_fall_through_is_bounded() {
        assert_eq!(check("l:\nmay_goto +1\ngoto l\nr0 = 0\nexit"), Ok(()));
        assert_eq!(
            check("r0 = 0\nl:\nmay_goto +1\ngoto l\nr0 = 0\nexit"),
            Ok(())
        );
    }

    #[test]
    fn a_counter_whose_value_never_matters_is_widened() {
        assert_eq!(
            check("r0 = 0\nr6 = 0\nr7 = 0\nl:\nmay_goto +3\nr6 += 1\nr7 += 2\ngoto l\nexit"),
            Ok(())
        );
    }

    #[test]
    fn a_counter_that_bounds_an_access_keeps_its_value() {
        // r1 indexes an 8-byte stack buffer: it must stay exact (0..7) to be accepted, and
        // the loop ends by its own bound.
        let src = "*(u64 *)(r10 - 8) = 0\nr1 = 0\nl:\nmay_goto +6\nr2 = r10\nr2 += -8\nr2 += r1\nr0 = *(u8 *)(r2 + 0)\nr1 += 1\nif r1 < 8 goto l\nr0 = 0\nexit";
        assert_eq!(check(src), Ok(()));
        // One byte too far.
        let bad = src.replace("r1 < 8", "r1 < 9");
        assert!(check(&bad).is_err());
    }

    #[test]
    fn an_accumulator_returned_at_exit_is_widened() {
        // Two loops bounded by `may_goto` (the second also by its index, which addresses a
        // stack buffer and so stays exact); r0 sums what they read and is the return value.
        // The exit needs r0 set, not its value: r0 is widened, both loops converge in a few
        // rounds (before, r0's value was kept and the first loop ran into the 1M limit).
        let src = "*(u64 *)(r10 - 8) = 0\nr0 = 0\nr1 = 0\na:\nmay_goto +3\nr0 += 1\nr1 += 1\ngoto a\nr1 = 0\nb:\nr2 = r10\nr2 += -8\nr2 += r1\nr3 = *(u8 *)(r2 + 0)\nr0 += r3\nmay_goto +2\nr1 += 1\nif r1 < 8 goto b\nexit";
        let a = assemble_unchecked(src).expect("assembles");
        let input = VerifyInput::new(&a.insns, ProgramType::SocketFilter)
            .with_kernel(crate::verifier::KernelVersion::MAY_GOTO);
        let report = verify(&input).expect("accepted");
        assert!(report.insns_processed < 500, "{report:?}");
        // The second loop's index one byte too far is still refused.
        assert!(check(&src.replace("r1 < 8", "r1 < 9")).is_err());
    }

    #[test]
    fn a_loop_through_the_jump_alone_is_infinite() {
        assert_eq!(
            check("r0 = 0\nl:\nmay_goto l\nr0 = 0\nexit"),
            Err(Rule::InfiniteLoop)
        );
    }

    #[test]
    fn both_successors_are_checked() {
        // The fall-through reads an uninitialised register.
        assert_eq!(
            check("may_goto +2\nr0 = r5\nexit\nr0 = 0\nexit"),
            Err(Rule::UninitRegister)
        );
        // The jump does.
        assert_eq!(
            check("may_goto +2\nr0 = 0\nexit\nr0 = r5\nexit"),
            Err(Rule::UninitRegister)
        );
    }

    #[test]
    fn may_goto_plus_zero_is_refused() {
        let insns = [
            crate::insn::Insn::new(0xe5, 0, 0, 0, 0),
            crate::insn::Insn::new(0xb7, 0, 0, 0, 0),
            crate::insn::Insn::new(0x95, 0, 0, 0, 0),
        ];
        let input = VerifyInput::new(&insns, ProgramType::SocketFilter);
        assert_eq!(
            verify(&input).map_err(|e| e[0].rule).err(),
            Some(Rule::Structure)
        );
    }

    #[test]
    fn may_goto_takes_the_jump_and_queues_the_fall_through_one_deeper() {
        use super::super::testkit::{state, One};
        use crate::verifier::context::Step;
        let mut st = state(&[]);
        st.may_goto_depth = 2;
        let one =
            One::new("may_goto +1\nexit\nexit").kernel(crate::verifier::KernelVersion::MAY_GOTO);
        match one.apply(&mut st) {
            Ok(Step::Branch {
                other_pc: 1,
                other,
                pc: 2,
            }) => {
                assert_eq!(other.may_goto_depth, 3);
                assert_eq!(st.may_goto_depth, 2);
            }
            other => panic!("{other:?}"),
        }
    }
}
