//! Unit tests of the open-coded iterator kfuncs (`iter.rs`).

use super::super::super::testkit::*;
use super::*;
use crate::verifier::domain::state::{covers, same_state};
use crate::verifier::VerifyInput;
use crate::ProgramType;

const NEW: &str = "call bpf_iter_num_new\nexit";
const NEXT: &str = "call bpf_iter_num_next\nexit";
const DESTROY: &str = "call bpf_iter_num_destroy\nexit";

/// A state with a new numbers iterator at `r10 - 8` (its reference in `refs`).
fn started() -> State {
    let mut st = state(&[(1, stack(-8)), (2, konst(0)), (3, konst(10))]);
    One::new(NEW).next(&mut st);
    st
}

fn iter_slot(st: &State, off: i32) -> (bool, u32, u32) {
    match *slot(st, off) {
        Slot::Spill(RegVal::Iter {
            kind: IterKind::Num,
            first: true,
            ref_id,
            drained,
            depth,
        }) => (drained, depth, ref_id),
        ref other => panic!("{other:?}"),
    }
}

#[test]
fn new_makes_an_active_iterator_holding_a_reference() {
    let st = started();
    let (drained, depth, rf) = iter_slot(&st, -8);
    assert!(!drained);
    assert_eq!(depth, 0);
    assert_ne!(rf & ITER_REF, 0);
    assert_eq!(st.refs, vec![rf]);
    assert_eq!(*reg(&st, 0), scalar(Scalar::UNKNOWN));
    assert_eq!(*reg(&st, 1), RegVal::NotInit);
}

#[test]
fn next_forks_into_drained_and_one_deeper_active_round() {
    let mut st = started();
    st.cur_mut().regs[1] = stack(-8);
    match One::new(NEXT).apply(&mut st) {
        Ok(Step::Branch {
            other_pc: 1,
            other,
            pc: 1,
        }) => {
            // The path goes on drained, with NULL.
            assert!(iter_slot(&st, -8).0);
            assert_eq!(*reg(&st, 0), konst(0));
            // The queued round: active, one deeper, r0 its 4 read-only bytes.
            let (drained, depth, _) = iter_slot(&other, -8);
            assert!(!drained);
            assert_eq!(depth, 1);
            assert!(matches!(
                reg(&other, 0),
                RegVal::Ringbuf {
                    size: 4,
                    ref_id: ITER_ELEM,
                    ..
                }
            ));
            // The depth alone tells the rounds apart for the loop check, not for pruning.
            let mut back = other.clone();
            set_iter(&mut back, 0, 63, false, 0);
            assert!(covers(&back, &other, 0x7ff) && covers(&other, &back, 0x7ff));
            assert!(!same_state(&back, &other));
        }
        other => panic!("{other:?}"),
    }
    // A drained iterator gives NULL again, and no new round.
    st.cur_mut().regs[1] = stack(-8);
    assert!(matches!(One::new(NEXT).apply(&mut st), Ok(Step::Next(1))));
    assert_eq!(*reg(&st, 0), konst(0));
}

#[test]
fn destroy_releases_the_reference_and_the_slot() {
    let mut st = started();
    st.cur_mut().regs[1] = stack(-8);
    One::new(DESTROY).next(&mut st);
    assert!(st.refs.is_empty());
    assert_eq!(*slot(&st, -8), Slot::Bytes([Byte::Misc; 8]));
    // Twice: no initialised iterator any more.
    st.cur_mut().regs[1] = stack(-8);
    let (rule, msg) = One::new(DESTROY).refused(&mut st);
    assert_eq!(rule, Rule::HelperArgument);
    assert!(
        msg.contains("expected an initialized iter_num as arg #0"),
        "{msg}"
    );
}

#[test]
fn the_iterator_argument_rules() {
    // new on a live iterator.
    let mut st = started();
    for (r, v) in [(1, stack(-8)), (2, konst(0)), (3, konst(1))] {
        st.cur_mut().regs[r] = v;
    }
    let (rule, msg) = One::new(NEW).refused(&mut st);
    assert_eq!(rule, Rule::HelperArgument);
    assert!(msg.contains("expected uninitialized iter_num"), "{msg}");
    // Misaligned, outside the frame, not on the stack.
    for (v, want) in [
        (stack(-12), "cannot pass in iter at an offset=-12"),
        (stack(0), "cannot pass in iter at an offset=0"),
        (map_value(0, 0), "expected pointer to an iterator on stack"),
    ] {
        let mut st = state(&[(1, v), (2, konst(0)), (3, konst(10))]);
        let (_, msg) = One::new(NEW).refused(&mut st);
        assert!(msg.contains(want), "{msg}");
    }
    // The range must be numbers.
    let mut st = state(&[(1, stack(-8)), (2, stack(-16)), (3, konst(10))]);
    let (_, msg) = One::new(NEW).refused(&mut st);
    assert!(
        msg.starts_with("bpf_iter_num_new expects a number in r2"),
        "{msg}"
    );
    // A bits iterator is not a numbers iterator.
    let mut st = state(&[(1, stack(-16)), (2, stack(-24)), (3, konst(1))]);
    One::new("call bpf_iter_bits_new\nexit")
        .kernel(KernelVersion::new(6, 11))
        .next(&mut st);
    assert!(matches!(
        slot(&st, -8),
        Slot::Spill(RegVal::Iter {
            kind: IterKind::Bits,
            first: false,
            ..
        })
    ));
    st.cur_mut().regs[1] = stack(-16);
    let (_, msg) = One::new(NEXT).refused(&mut st);
    assert!(msg.contains("expected an initialized iter_num"), "{msg}");
    // The bits iterator needs 6.11.
    let mut st = state(&[(1, stack(-16)), (2, stack(-24)), (3, konst(1))]);
    let (rule, msg) = One::new("call bpf_iter_bits_new\nexit")
        .kernel(KernelVersion::new(6, 10))
        .refused(&mut st);
    assert_eq!(rule, Rule::HelperNotAllowed);
    assert!(
        msg.starts_with("bpf_iter_bits_new needs Linux 6.11"),
        "{msg}"
    );
}

#[test]
fn its_slot_can_be_neither_read_nor_overwritten() {
    let mut st = started();
    let (rule, msg) = One::new("r0 = *(u32 *)(r10 - 8)\nexit").refused(&mut st);
    assert_eq!(rule, Rule::StackAccess);
    assert!(msg.contains("reads part of an active iterator"), "{msg}");
    let mut st = started();
    let (rule, msg) = One::new("*(u8 *)(r10 - 3) = 0\nexit").refused(&mut st);
    assert_eq!(rule, Rule::StackAccess);
    assert!(
        msg.contains("would overwrite part of an active iterator"),
        "{msg}"
    );
}

#[test]
fn a_program_that_keeps_its_iterator_leaks_it() {
    let mut st = started();
    st.cur_mut().regs[0] = konst(0);
    let (rule, msg) = One::new("exit").refused(&mut st);
    assert_eq!(rule, Rule::ReferenceLeak);
    assert!(msg.starts_with("an open-coded iterator"), "{msg}");
}

fn check(src: &str) -> Result<crate::verifier::Report, Vec<VerifierError>> {
    let a = crate::asm::assemble_unchecked(src).expect("assembles");
    crate::verifier::verify(&VerifyInput::new(&a.insns, ProgramType::SocketFilter))
}

const LOOP: &str = "r6 = 0\nr1 = r10\nr1 += -8\nr2 = 0\nr3 = 1000\ncall bpf_iter_num_new\nl:\nr1 = r10\nr1 += -8\ncall bpf_iter_num_next\nif r0 == 0 goto d\nr1 = *(u32 *)(r0 + 0)\nr6 += r1\ngoto l\nd:\nr1 = r10\nr1 += -8\ncall bpf_iter_num_destroy\nr0 = r6\nexit";

#[test]
fn a_loop_converges_at_the_next_call_in_a_few_rounds() {
    // The accumulator is widened: the loop is not explored 1,000 times.
    let report = check(LOOP).expect("accepted");
    assert!(report.insns_processed < 100, "{report:?}");
    // Without the prune at the next call, and without the widening, it would not converge:
    // a loop whose every round differs still does, once the widened state repeats.
    let src = LOOP.replace("r6 += r1", "r6 += 1");
    assert!(check(&src).expect("accepted").insns_processed < 100);
}

#[test]
fn a_precise_counter_keeps_its_value_and_is_refused_out_of_bounds() {
    // r6 indexes an 8-byte buffer: precise, explored round by round up to its bound.
    let src = "*(u64 *)(r10 - 16) = 0\nr6 = 0\nr1 = r10\nr1 += -8\nr2 = 0\nr3 = 100\ncall bpf_iter_num_new\nl:\nr1 = r10\nr1 += -8\ncall bpf_iter_num_next\nif r0 == 0 goto d\nif r6 > 7 goto d\nr1 = r10\nr1 += -16\nr1 += r6\nr0 = *(u8 *)(r1 + 0)\nr6 += 1\ngoto l\nd:\nr1 = r10\nr1 += -8\ncall bpf_iter_num_destroy\nr0 = 0\nexit";
    assert!(check(src).is_ok());
    // One byte too far: the 9th byte is the iterator's.
    let err = check(&src.replace("r6 > 7", "r6 > 8")).unwrap_err();
    assert_eq!(err[0].rule, Rule::StackAccess, "{err:?}");
}

#[test]
fn the_iterator_kfuncs_read_only_their_own_arguments() {
    use crate::verifier::cfg::call_args;
    use crate::xdp::iter::IterKfunc;
    assert_eq!(call_args(IterKfunc::NumNew.placeholder(), true), 0b1110);
    assert_eq!(call_args(IterKfunc::NumNext.placeholder(), true), 0b10);
    assert_eq!(call_args(IterKfunc::BitsDestroy.placeholder(), true), 0b10);
    // A loop whose body leaves a counter's copy in r3 at the next call still converges: r3
    // is not an argument of `next`, so the counter is not made precise.
    let src = LOOP.replace("r6 += r1", "r6 += 1\nr3 = r6");
    assert!(check(&src).expect("accepted").insns_processed < 100);
}

#[test]
fn bits_new_ignores_its_unsafe_ptr_ign_argument() {
    // `const u64 *unsafe_ptr__ign`: the kernel never reads r2, so an unset r2 is fine...
    let mut st = state(&[(1, stack(-16)), (3, konst(1))]);
    assert_eq!(*reg(&st, 2), RegVal::NotInit);
    One::new("call bpf_iter_bits_new\nexit")
        .kernel(KernelVersion::new(6, 11))
        .next(&mut st);
    assert!(matches!(
        slot(&st, -16),
        Slot::Spill(RegVal::Iter {
            kind: IterKind::Bits,
            first: true,
            ..
        })
    ));
    // ... but not an unset count (r3), nor an unset r2 for the numbers iterator's start.
    let mut st = state(&[(1, stack(-16))]);
    let (rule, _) = One::new("call bpf_iter_bits_new\nexit")
        .kernel(KernelVersion::new(6, 11))
        .refused(&mut st);
    assert_eq!(rule, Rule::UninitRegister);
    let mut st = state(&[(1, stack(-8)), (3, konst(10))]);
    let (rule, _) = One::new(NEW).refused(&mut st);
    assert_eq!(rule, Rule::UninitRegister);
}
