//! Pruning around helper calls: a helper reads the arguments of its prototype only, so the
//! registers past them do not become live or precise at the call; the arguments it does take
//! are still compared.

use super::{verify_with, Report, Rule, Trust, VerifierError, VerifyInput};
use crate::asm::assemble_unchecked;
use crate::ProgramType;

fn run(src: &str, exact: bool) -> Result<Report, Vec<VerifierError>> {
    let a = assemble_unchecked(src).expect("valid text");
    verify_with(
        &VerifyInput::new(&a.insns, ProgramType::Xdp),
        &Trust::none(),
        exact,
        false,
    )
}

/// `src` verified for Linux 6.18 with the test maps (`rb`, `arr`, ...) and a GPL licence.
fn run_618(src: &str, exact: bool) -> Result<Report, Vec<VerifierError>> {
    let a = assemble_unchecked(src).expect("valid text");
    let maps = super::transfer::testkit::maps();
    let mut input = VerifyInput::new(&a.insns, ProgramType::Xdp)
        .with_kernel(super::target::KernelVersion::new(6, 18))
        .with_maps(&a.relocations, &maps);
    input.license = "GPL";
    verify_with(&input, &Trust::none(), exact, false)
}

/// A chain of 10 diamonds after `prefix`, each doubling r7 and adding 1 on one way, then
/// `after_join` (`{k}` replaced by the diamond's number), then `end`.
fn chain(prefix: &str, after_join: &str, end: &str) -> String {
    let mut src = String::from(prefix) + "r7 = 0\n";
    for k in 0..10 {
        src +=
            &format!("call bpf_get_prandom_u32\nr7 <<= 1\nif r0 > 100 goto a{k}\nr7 |= 1\na{k}:\n");
        src += &after_join.replace("{k}", &k.to_string());
    }
    src + end
}

/// `run(exact)` accepts, pruning each join's second way (under 1,000 instructions), where
/// demanding r7 exact walks the 2^n paths (20 times as many).
fn assert_pruned(src: &str, run: impl Fn(&str, bool) -> Result<Report, Vec<VerifierError>>) {
    let ours = run(src, false).expect("accepted");
    assert!(ours.insns_processed < 1_000, "{ours:?}\n{src}");
    let walked = run(src, true).expect("accepted");
    assert!(
        ours.insns_processed * 20 < walked.insns_processed,
        "{ours:?} vs {walked:?}\n{src}"
    );
}

/// A chain of diamonds, each doubling r7 and adding 1 on one way, with a copy of r7 left in
/// r4 before the next call of a helper without arguments: the call does not read r4, so r7
/// stays imprecise and each join prunes its second way, where comparing r7 walks 2^n paths.
#[test]
fn registers_past_a_helpers_arguments_are_not_read_by_the_call() {
    let mut src = String::from("r7 = 0\n");
    for k in 0..10 {
        src += &format!(
            "call bpf_get_prandom_u32\nr7 <<= 1\nif r0 > 100 goto a{k}\nr7 |= 1\na{k}:\nr4 = r7\n"
        );
    }
    src += "call bpf_get_prandom_u32\nr0 = 2\nexit";
    let ours = run(&src, false).expect("accepted");
    assert!(ours.insns_processed < 1_000, "{ours:?}");
    let walked = run(&src, true).expect("accepted");
    assert!(
        ours.insns_processed * 20 < walked.insns_processed,
        "{ours:?} vs {walked:?}"
    );
}

/// The size argument of `bpf_xdp_load_bytes` (r4) differs between two paths joined before the
/// call: 8 bytes fit the 16-byte buffer, 100 do not; the second path must not be pruned by the
/// first (in either order).
#[test]
fn a_helpers_size_argument_is_compared_at_a_join() {
    for (cond, first, second) in [("!=", 8, 100), ("==", 100, 8)] {
        let src = format!(
            "
r6 = r1
call bpf_get_prandom_u32
r4 = {first}
if r0 {cond} 7 goto j
r4 = {second}
j:
r1 = r6
r2 = 0
r3 = r10
r3 += -16
call bpf_xdp_load_bytes
r0 = 2
exit"
        );
        let e = run(&src, false).expect_err("100 bytes into a 16-byte buffer");
        assert_eq!(e[0].rule, Rule::StackAccess, "{e:?}\n{src}");
        run(&src.replace("= 100", "= 16"), false).expect("16 bytes fit");
    }
}

/// A chain of diamonds, each doubling r7 and adding 1 on one way, with r7 passed after each
/// join as the offset of `bpf_xdp_load_bytes` (`ARG_ANYTHING`, as the kernel's
/// `check_func_arg` takes it: any value, not marked precise): r7 stays imprecise and each
/// join prunes its second way, where demanding r7 exact walks 2^n paths.
#[test]
fn a_helpers_anything_argument_is_not_demanded_exact() {
    let call = "r1 = r6\nr2 = r7\nr3 = r10\nr3 += -16\nr4 = 8\ncall bpf_xdp_load_bytes\n";
    assert_pruned(&chain("r6 = r1\n", call, "r0 = 2\nexit"), run);
}

/// The `ARG_ANYTHING` offset of `bpf_xdp_load_bytes` (r2, from r7) differs between two paths
/// joined before the call, and r7 decides a branch after it: 0 passes, 100 reaches a read
/// outside the stack frame. Not demanded at the call, r7 is still demanded by the branch, so
/// the second path is not pruned by the first (in either order).
#[test]
fn an_anything_argument_used_after_the_call_is_compared_at_a_join() {
    for (cond, first, second) in [("!=", 0, 100), ("==", 100, 0)] {
        let src = format!(
            "
r6 = r1
call bpf_get_prandom_u32
r7 = {first}
if r0 {cond} 7 goto j
r7 = {second}
j:
r1 = r6
r2 = r7
r3 = r10
r3 += -16
r4 = 8
call bpf_xdp_load_bytes
if r7 < 50 goto ok
r0 = *(u64 *)(r10 + 8)
ok:
r0 = 2
exit"
        );
        let e = run(&src, false).expect_err("r7 = 100 reads above the frame");
        assert_eq!(e[0].rule, Rule::StackAccess, "{e:?}\n{src}");
        run(&src.replace("= 100", "= 10"), false).expect("both below 50");
    }
}

/// `r6` = the context, a dynptr over the packet at r10 - 16.
const FROM_XDP: &str = "r6 = r1\nr2 = 0\nr3 = r10\nr3 += -16\ncall bpf_dynptr_from_xdp\n";

/// A chain of diamonds, each doubling r7 and adding 1 on one way, with r7 passed after each
/// join as the offset of `bpf_dynptr_slice` (a plain `u32` the kernel's `check_kfunc_args`
/// does not mark precise, checked at run time): r7 stays imprecise and each join prunes its
/// second way, where demanding r7 exact walks 2^n paths.
#[test]
fn a_dynptr_slices_offset_is_not_demanded_exact() {
    let mut src = String::from(FROM_XDP) + "r7 = 0\n";
    for k in 0..10 {
        src += &format!(
            "call bpf_get_prandom_u32\nr7 <<= 1\nif r0 > 100 goto a{k}\nr7 |= 1\na{k}:\n\
             r1 = r10\nr1 += -16\nr2 = r7\nr3 = r10\nr3 += -32\nr4 = 8\ncall bpf_dynptr_slice\n"
        );
    }
    src += "r0 = 2\nexit";
    let ours = run(&src, false).expect("accepted");
    assert!(ours.insns_processed < 1_000, "{ours:?}");
    let walked = run(&src, true).expect("accepted");
    assert!(
        ours.insns_processed * 20 < walked.insns_processed,
        "{ours:?} vs {walked:?}"
    );
    // The same for `bpf_dynptr_adjust`'s bounds.
    let adjust = src.replace(
        "r4 = 8\ncall bpf_dynptr_slice",
        "r3 = r7\ncall bpf_dynptr_adjust",
    );
    let ours = run(&adjust, false).expect("accepted");
    assert!(ours.insns_processed < 1_000, "{ours:?}");
    // And for the offsets of the helpers `bpf_dynptr_read(dst, len, src, offset, flags)`
    // (8 bytes into r10 - 32) and `bpf_dynptr_write(dst, offset, src, len, flags)`.
    let call = "r1 = r10\nr1 += -16\nr2 = r7\nr3 = r10\nr3 += -32\nr4 = 8\ncall bpf_dynptr_slice";
    for with in [
        "r1 = r10\nr1 += -32\nr2 = 8\nr3 = r10\nr3 += -16\nr4 = r7\nr5 = 0\ncall bpf_dynptr_read",
        "*(u64 *)(r10 - 32) = r7\nr1 = r10\nr1 += -16\nr2 = r7\nr3 = r10\nr3 += -32\nr4 = 8\nr5 = 0\ncall bpf_dynptr_write",
    ] {
        let helper = src.replace(call, with);
        let ours = run(&helper, false).expect("accepted");
        assert!(ours.insns_processed < 1_000, "{ours:?}\n{helper}");
        let walked = run(&helper, true).expect("accepted");
        assert!(ours.insns_processed * 20 < walked.insns_processed);
    }
}

/// The size of a `bpf_dynptr_slice` (r4, `buffer__szk`: a constant the kernel marks precise)
/// differs between two paths joined before the call: 16 bytes fit the buffer at r10 - 48,
/// 100 do not; the second path must not be pruned by the first (in either order). Nor may
/// the offset, not demanded at the call, be pruned when a branch after it reads it.
#[test]
fn a_dynptr_slices_size_stays_exact_and_a_used_offset_is_compared() {
    for (cond, first, second) in [("!=", 16, 100), ("==", 100, 16)] {
        let src = format!(
            "{FROM_XDP}call bpf_get_prandom_u32\nr4 = {first}\nif r0 {cond} 7 goto j\n\
             r4 = {second}\nj:\nr1 = r10\nr1 += -16\nr2 = 0\nr3 = r10\nr3 += -48\n\
             call bpf_dynptr_slice\nr0 = 2\nexit"
        );
        run(&src, false).expect_err("100 bytes into a 32-byte room");
        run(&src.replace("= 100", "= 8"), false).expect("8 bytes fit");
    }
    for (cond, first, second) in [("!=", 0, 100), ("==", 100, 0)] {
        let src = format!(
            "{FROM_XDP}call bpf_get_prandom_u32\nr7 = {first}\nif r0 {cond} 7 goto j\n\
             r7 = {second}\nj:\nr1 = r10\nr1 += -16\nr2 = r7\nr3 = r10\nr3 += -32\nr4 = 8\n\
             call bpf_dynptr_slice\nif r7 < 50 goto ok\nr0 = *(u64 *)(r10 + 8)\nok:\n\
             r0 = 2\nexit"
        );
        let e = run(&src, false).expect_err("r7 = 100 reads above the frame");
        assert_eq!(e[0].rule, Rule::StackAccess, "{e:?}\n{src}");
        run(&src.replace("= 100", "= 10"), false).expect("both below 50");
    }
}

/// The ring buffer dynptr helpers: `bpf_ringbuf_reserve_dynptr(map, size, flags, ptr)` takes
/// its size and flags as `ARG_ANYTHING` (a reservation of a bad size fails at run time, leaving
/// a NULL dynptr), `bpf_ringbuf_discard_dynptr(ptr, flags)` its flags and reads nothing past
/// them: r7 passed there after each join stays imprecise and the second way is pruned; demanding it exact walks 2^n paths.
#[test]
fn a_ring_buffer_dynptrs_size_and_flags_are_not_demanded_exact() {
    // The third: r7 in r3, which `bpf_ringbuf_discard_dynptr` (two arguments) does not read.
    for (size, flags) in [("r7", "0"), ("8", "r7"), ("8", "0\nr3 = r7")] {
        let call = format!(
            "r1 = rb ll\nr2 = {size}\nr3 = 0\nr4 = r10\nr4 += -16\n\
             call bpf_ringbuf_reserve_dynptr\n\
             r1 = r10\nr1 += -16\nr2 = {flags}\ncall bpf_ringbuf_discard_dynptr\n"
        );
        assert_pruned(&chain("", &call, "r0 = 2\nexit"), run_618);
    }
}

/// `bpf_throw(u64 cookie)`'s cookie is not precise (the program types modelled have no return
/// range): r7 thrown after each join on one way stays imprecise and each join prunes its second
/// way; demanding it exact walks 2^n paths.
#[test]
fn a_thrown_cookie_is_not_demanded_exact() {
    let throw = "call bpf_get_prandom_u32\nif r0 != 7 goto b{k}\nr1 = r7\ncall bpf_throw\nb{k}:\n";
    assert_pruned(&chain("", throw, "r0 = 2\nexit"), run_618);
}

/// `bpf_for_each_map_elem(map, callback, ctx, flags)`'s flags (r4) are `ARG_ANYTHING` (found by
/// `tools/helper-protos/check.py`): r7 passed there after each join stays imprecise and each
/// join prunes its second way; demanding it exact walks 2^n paths.
#[test]
fn for_each_map_elems_flags_are_not_demanded_exact() {
    let call = "r1 = arr ll\nr2 = cb ll\nr3 = 0\nr4 = r7\ncall bpf_for_each_map_elem\n";
    assert_pruned(&chain("", call, "r0 = 2\nexit\ncb:\nr0 = 0\nexit"), run_618);
}
