//! Pruning inside called functions (liveness and precision frame by frame): a callee's
//! checkpoint may ignore what the caller never reads again, but never a caller's location that
//! is read after the return, read through a pointer, or whose exact value matters.

use super::{verify_with, Report, Rule, Trust, VerifierError, VerifyInput};
use crate::asm::assemble_unchecked;
use crate::ProgramType;

fn run(src: &str, exact: bool, every: bool) -> Result<Report, Vec<VerifierError>> {
    let a = assemble_unchecked(src).expect("valid text");
    verify_with(
        &VerifyInput::new(&a.insns, ProgramType::Xdp),
        &Trust::none(),
        exact,
        every,
    )
}

/// The packet's first byte in r5 (r2 = data), `r6` = `{first}`, or `{second}` on one way of a
/// branch on it: two paths that differ only in r6, in either order of exploration.
const HEAD: &str = "
r2 = *(u32 *)(r1 + 0)
r3 = *(u32 *)(r1 + 4)
r4 = r2
r4 += 1
if r4 > r3 goto out
r5 = *(u8 *)(r2 + 0)
r6 = {first}
if r5 {cond} 0 goto c
r6 = {second}
c:
";

/// `body` after [`HEAD`], with r6 = 8 on one path and 100 on the other (both orders): must be
/// rejected with a stack access error (r6 = 100 reaches past the frame), and accepted with 60
/// instead of 100, with checkpoints as usual and at every prune point.
fn refused_on_the_second_path(body: &str) {
    for (cond, first, second) in [("!=", 8, 100), ("==", 100, 8)] {
        let src = HEAD
            .replace("{cond}", cond)
            .replace("{first}", &first.to_string())
            .replace("{second}", &second.to_string())
            + body;
        for every in [false, true] {
            let e = run(&src, false, every).expect_err("r6 = 100 reaches past r10");
            assert_eq!(e[0].rule, Rule::StackAccess, "{e:?}\n{src}");
            let ok = src.replace("r6 = 100", "r6 = 60");
            run(&ok, false, every).expect("r6 = 60 stays in the frame");
        }
    }
}

/// The caller's slot is read after the return: the callee's checkpoints compare it.
#[test]
fn a_callers_slot_read_after_the_return_is_compared_in_the_callee() {
    refused_on_the_second_path(
        "
*(u64 *)(r10 - 8) = r6
r6 = 0
r1 = r5
call f
r6 = *(u64 *)(r10 - 8)
r1 = r10
r1 += -64
r1 += r6
*(u8 *)(r1 + 0) = 0
out:
r0 = 2
exit
f:
r0 = 0
if r1 > 7 goto f1
r0 = 1
f1:
exit",
    );
}

/// A callee-saved register of the caller whose value bounds an access after the return.
#[test]
fn a_precise_scalar_of_the_caller_is_compared_in_the_callee() {
    refused_on_the_second_path(
        "
r7 = r6
r1 = r5
call f
r1 = r10
r1 += -64
r1 += r7
*(u8 *)(r1 + 0) = 0
out:
r0 = 2
exit
f:
r0 = 0
if r1 > 7 goto f1
r0 = 1
f1:
exit",
    );
}

/// The callee reads the caller's slot through a pointer, after its own checkpoint, and the
/// value bounds the callee's own stack access.
#[test]
fn a_callers_slot_read_through_a_pointer_is_compared_in_the_callee() {
    refused_on_the_second_path(
        "
*(u64 *)(r10 - 8) = r6
r1 = r10
r1 += -8
r3 = r5
call g
out:
r0 = 2
exit
g:
r0 = 0
if r3 > 7 goto g1
r0 = 1
g1:
r2 = *(u64 *)(r1 + 0)
r3 = r10
r3 += -64
r3 += r2
*(u8 *)(r3 + 0) = 0
exit",
    );
}

/// The callee's return value, computed from its argument before its checkpoint, bounds an
/// access after the return.
#[test]
fn a_return_value_used_by_the_caller_is_precise_in_the_callee() {
    refused_on_the_second_path(
        "
r1 = r6
r2 = r5
call h
r1 = r10
r1 += -64
r1 += r0
*(u8 *)(r1 + 0) = 0
out:
r0 = 2
exit
h:
r0 = r1
if r2 > 7 goto h1
r2 = 0
h1:
exit",
    );
}

/// Three frames: the innermost function writes its argument to the outermost frame's slot
/// through a pointer passed down; the outermost reads it after both returns.
#[test]
fn a_slot_written_two_frames_down_is_compared_in_both_callees() {
    refused_on_the_second_path(
        "
r1 = r6
r2 = r10
r2 += -16
r3 = r5
call mid
r6 = *(u64 *)(r10 - 16)
r1 = r10
r1 += -64
r1 += r6
*(u8 *)(r1 + 0) = 0
out:
r0 = 2
exit
mid:
r6 = r3
r3 = r1
r1 = r2
r2 = r3
if r6 > 7 goto m1
r6 = 0
m1:
call put
r0 = 0
exit
put:
*(u64 *)(r1 + 0) = r2
r0 = 0
exit",
    );
}

/// A callee with a chain of diamonds, each adding a different power of two to an accumulator
/// no one uses exactly: its joins prune the second way of every diamond (the caller's frame
/// agrees on everything read after the return), where comparing the frames exactly walks
/// 2^n paths.
#[test]
fn a_callees_joins_prune_when_the_callers_frame_agrees_where_it_matters() {
    let src = |n: u32| {
        let mut s =
            String::from("r6 = 7\n*(u64 *)(r10 - 8) = r6\ncall f\nr0 = 2\nexit\nf:\nr7 = 0\n");
        for k in 0..n {
            s += &format!(
                "call bpf_get_prandom_u32\nif r0 > 100 goto a{k}\nr7 += {}\na{k}:\n",
                1u64 << k
            );
        }
        s + "r0 = r7\nexit"
    };
    let ours = run(&src(12), false, false).expect("accepted");
    assert!(ours.insns_processed < 1_000, "{ours:?}");
    let walked = run(&src(12), true, false).expect("accepted");
    assert!(
        ours.insns_processed * 20 < walked.insns_processed,
        "{ours:?} vs {walked:?}"
    );
}

/// A subprogram called from 12 call sites, each guarded by a packet bounds check that either
/// way may take (so the calls of one site come with the counter `r9`, precise as a pointer
/// offset, at every value up to the site's rank): the states at the callee's entry are
/// compared only with the checkpoints of the same call site, as the kernel finds them
/// (`explored_state` hashes the instruction with the innermost frame's `callsite`). Compared
/// with every call site's, the visits from one site counted as misses of the others'
/// checkpoints and evicted them: 10 more instructions, 4 fewer paths pruned at the entry.
/// Linux 6.18 on this program (`ebpf-dsl load --verbose`): `processed 1956 insns`,
/// `total_states 145`, 17 `safe` at the callee's entry.
#[test]
fn a_subprograms_checkpoints_are_kept_per_call_site() {
    let mut src = String::from("r6 = r1\nw9 = 0\nr7 = *(u32 *)(r6 + 0)\nr8 = *(u32 *)(r6 + 4)\n");
    for k in 0..12 {
        src += &format!(
            "r1 = r7\nr1 += r9\nr2 = r1\nr2 += 14\nif r2 > r8 goto l{k}\nw2 = w9\ncall f\nw9 += 1\nl{k}:\n"
        );
    }
    src += "w0 = 2
exit
f:
w0 = *(u32 *)(r1 + 0)
w3 = *(u32 *)(r1 + 4)
w4 = *(u32 *)(r1 + 8)
w0 += w2
w0 ^= w3
w0 += w4
w3 <<= 4
w0 ^= w3
w4 >>= 3
w0 += w4
exit
";
    let k618 = super::target::KernelVersion::new(6, 18);
    let a = assemble_unchecked(&src).expect("valid text");
    let r = verify_with(
        &VerifyInput::new(&a.insns, ProgramType::Xdp).with_kernel(k618),
        &Trust::none(),
        false,
        false,
    )
    .expect("accepted");
    assert_eq!((r.insns_processed, r.states), (1956, 145));
    let (verdict, pruned) = super::transfer::testkit::pruned_at(&src, "f", k618);
    assert!(verdict.is_ok());
    assert_eq!(pruned, 17);
}
