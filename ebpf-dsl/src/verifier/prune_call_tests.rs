//! Pruning around helper calls: a helper reads only the registers of its prototype (the
//! others are dead at the call), and the memory it reads matters for its liveness, not for
//! precision — except an array lookup's constant key, which decides whether the result may be
//! NULL. Each rule with a case that must prune and one that must not.

use super::target::KernelVersion;
use super::transfer::testkit::{self, maps};
use super::{verify_with, Report, Rule, Trust, VerifierError, VerifyInput};
use crate::asm::assemble_unchecked;
use crate::ProgramType;

fn run(src: &str, kernel: KernelVersion, every: bool) -> Result<Report, Vec<VerifierError>> {
    let a = assemble_unchecked(src).expect("valid text");
    let maps = maps();
    let input = VerifyInput::new(&a.insns, ProgramType::Xdp)
        .with_kernel(kernel)
        .with_maps(&a.relocations, &maps);
    verify_with(&input, &Trust::none(), false, every)
}

/// Paths pruned at the instruction after label `at` (counted by the trace) of a program that
/// verifies.
fn pruned_at(src: &str, at: &str, kernel: KernelVersion) -> usize {
    let (verdict, pruned) = testkit::pruned_at(src, at, kernel);
    verdict.expect("accepted");
    pruned
}

const K618: KernelVersion = KernelVersion::new(6, 18);

/// Two paths meet at `k:`; the second has `r3 = 5` instead of a stack pointer. A two-argument
/// lookup never reads r3 (dead at `k`: the second path is pruned there); `bpf_map_update_elem`
/// reads it as the value pointer (live: not pruned, and refused). (`r4 = 0` comes after `k`,
/// so that the first checkpoint is stored at `k`: 8 instructions and 3 jumps, the call
/// included, since the entry.)
#[test]
fn a_register_the_helper_does_not_take_is_dead() {
    let src = |helper: &str| {
        format!(
            "
call bpf_get_prandom_u32
*(u64 *)(r10 - 16) = 0
*(u64 *)(r10 - 8) = 0
r3 = r10
r3 += -16
if r0 == 0 goto j
goto k
j:
r3 = 5
k:
r4 = 0
r1 = hash ll
r2 = r10
r2 += -8
call {helper}
r0 = 2
exit"
        )
    };
    for every in [false, true] {
        assert!(run(&src("bpf_map_lookup_elem"), K618, every).is_ok());
        let e = run(&src("bpf_map_update_elem"), K618, every).expect_err("r3 = 5 as the value");
        assert_eq!(e[0].rule, Rule::HelperArgument, "{e:?}");
    }
    assert_eq!(pruned_at(&src("bpf_map_lookup_elem"), "k", K618), 1);
    assert_eq!(super::cfg::call_args(1, false), 0b110);
    assert_eq!(super::cfg::call_args(2, false), 0b11110);
    assert_eq!(super::cfg::call_args(1, true), 0b11_1110);
    // The helpers modelled without a prototype in the table: their kernel prototypes' counts.
    assert_eq!(super::cfg::call_args(199, false), 0b110);
    assert_eq!(super::cfg::call_args(203, false), 0b1110);
    assert_eq!(super::cfg::call_args(201, false), 0b11_1110);
    assert_eq!(super::cfg::call_args(154, false), 0b10);
    // Not modelled (refused at the call): every register.
    assert_eq!(super::cfg::call_args(191, false), 0b11_1110);
}

/// The key of a hash lookup is read (live) but its value decides nothing: paths that differ
/// only in it are pruned where they meet (`r6`..`r8`: enough instructions for the first
/// checkpoint to be stored at `k`, 8 instructions and 3 jumps, the call included, since the
/// entry).
#[test]
fn a_hash_key_is_not_precise() {
    let src = "
call bpf_get_prandom_u32
r6 = 0
r7 = 0
r8 = 0
r1 = 1
if r0 == 0 goto j
goto k
j:
r1 = 2
k:
*(u64 *)(r10 - 8) = r1
r1 = hash ll
r2 = r10
r2 += -8
call bpf_map_lookup_elem
if r0 == 0 goto out
r0 = *(u64 *)(r0 + 0)
out:
r0 = 2
exit";
    assert_eq!(pruned_at(src, "k", K618), 1);
    assert!(run(src, K618, true).is_ok());
}

/// An array lookup with a constant in-bounds key cannot fail (6.14+): the key decides whether
/// `r0` may be NULL, so a path with an out-of-bounds key must not be pruned by one with key
/// 0 — it dereferences `r0` without a null check and is refused.
#[test]
fn an_array_key_is_precise() {
    let src = |second: u32| {
        format!(
            "
call bpf_get_prandom_u32
r1 = 0
if r0 == 0 goto j
goto k
j:
r1 = {second}
k:
*(u32 *)(r10 - 8) = r1
r1 = arr ll
r2 = r10
r2 += -8
call bpf_map_lookup_elem
r0 = *(u64 *)(r0 + 0)
r0 = 2
exit"
        )
    };
    for every in [false, true] {
        let e = run(&src(5), K618, every).expect_err("key 5 is out of bounds: r0 may be NULL");
        assert_eq!(e[0].rule, Rule::NullCheck, "{e:?}");
        assert!(run(&src(3), K618, every).is_ok());
        // Before 6.14 every array lookup may fail.
        assert!(run(&src(3), KernelVersion::DEFAULT, every).is_err());
    }
}

/// An array lookup's key that the kernel does not take for a constant is not precise
/// (`get_constant_map_key` marks the key only when it returns one): a non-zero value stored
/// at `fp-4`, off its slot's start, is plain bytes to the kernel, so two paths that differ
/// only in it (keys 1 and 2) are pruned where they meet, as for a hash key; stored at `fp-8`
/// (a spill of the key's size) it is a constant key, and they are not.
#[test]
fn an_array_key_the_kernel_cannot_read_as_a_constant_is_not_precise() {
    let src = |off: u32| {
        format!(
            "
call bpf_get_prandom_u32
r6 = 0
r7 = 0
r8 = 0
r1 = 1
if r0 == 0 goto j
goto k
j:
r1 = 2
k:
*(u32 *)(r10 - {off}) = r1
r1 = arr ll
r2 = r10
r2 += -{off}
call bpf_map_lookup_elem
if r0 == 0 goto out
r0 = *(u64 *)(r0 + 0)
out:
r0 = 2
exit"
        )
    };
    assert_eq!(pruned_at(&src(4), "k", K618), 1);
    assert_eq!(pruned_at(&src(8), "k", K618), 0);
    for every in [false, true] {
        assert!(run(&src(4), K618, every).is_ok());
        assert!(run(&src(8), K618, every).is_ok());
    }
}

/// A helper reads the bytes its prototype gives through a stack pointer (the map's key size,
/// a memory argument's size register), as the kernel's `check_helper_mem_access` marks them,
/// not every slot up to the frame's top: two paths that differ only in `fp-8` (0, or a spilled
/// stack pointer), above an 8-byte key at `fp-16` (or 4 bytes summed by `bpf_csum_diff`), are
/// pruned where they meet when nothing reads `fp-8` later; when the program reads it after the
/// call (and multiplies it: refused for the pointer), the paths are not pruned and the program
/// is refused.
#[test]
fn a_helper_reads_only_the_bytes_its_prototype_gives() {
    let calls = [
        "r1 = hash ll\nr2 = r10\nr2 += -16\ncall bpf_map_lookup_elem",
        "r1 = r10\nr1 += -16\nr2 = 4\nr3 = 0\nr4 = 0\nr5 = 0\ncall bpf_csum_diff",
    ];
    let src = |call: &str, read_after: bool| {
        let after = if read_after {
            "r1 = *(u64 *)(r10 - 8)\nr1 *= 3"
        } else {
            ""
        };
        format!(
            "
call bpf_get_prandom_u32
r6 = 0
r7 = 0
r8 = 0
*(u64 *)(r10 - 16) = 0
*(u64 *)(r10 - 8) = 0
if r0 == 0 goto j
goto k
j:
*(u64 *)(r10 - 8) = r10
k:
{call}
{after}
r0 = 2
exit"
        )
    };
    for call in calls {
        assert_eq!(pruned_at(&src(call, false), "k", K618), 1, "{call}");
        for every in [false, true] {
            assert!(run(&src(call, false), K618, every).is_ok(), "{call}");
            let e = run(&src(call, true), K618, every).expect_err("fp-8 = r10 is multiplied");
            assert_eq!(e[0].rule, Rule::PointerArithmetic, "{call}: {e:?}");
        }
    }
}

/// A program whose `bpf_loop` callback changes the context on one of its two paths: the
/// path that leaves it unchanged comes back to the call first and is pruned there by the call's
/// checkpoint while that checkpoint is still being explored (a backedge), then the other path
/// comes back with `fp-8 = 1` and runs the code after the loop again, under that unfinished
/// loop head. After the loop, two paths meet at `k:` differing in `fp-16` (1 and 2); `after`
/// is the code the second run reaches (`fp-8 = 1`) before `m:`.
fn after_callback_loop(after: &str) -> String {
    format!(
        "
*(u64 *)(r10 - 8) = 0
r1 = 4
r2 = cb ll
r3 = r10
r3 += -8
r4 = 0
call bpf_loop
call bpf_get_prandom_u32
r6 = r0
*(u64 *)(r10 - 16) = 1
if r6 == 0 goto j
r1 = 0
r2 = 0
r3 = 0
goto k
j:
*(u64 *)(r10 - 16) = 2
r1 = 0
r2 = 0
k:
r8 = 0
r9 = 0
r1 = *(u64 *)(r10 - 8)
if r1 == 0 goto m
{after}
m:
r0 = 2
exit
cb:
r6 = r2
call bpf_get_prandom_u32
if r0 != 0 goto store
r0 = 0
exit
store:
*(u64 *)(r6 + 0) = 1
r0 = 0
exit"
    )
}

/// A checkpoint of the main frame outside every loop has final marks once explored, even
/// while a loop head above it still has backedges (the kernel compares it as any other: its
/// instruction is in no strongly connected component): the path with `fp-16 = 2`, never
/// read, is pruned at `k` in the second run of the code after the loop.
#[test]
fn a_checkpoint_after_a_callback_loop_prunes_on_its_own_marks() {
    let src = after_callback_loop("r0 = 1");
    for every in [false, true] {
        assert!(run(&src, K618, every).is_ok());
    }
    assert_eq!(pruned_at(&src, "k", K618), 2);
}

/// The same, where `fp-16` decides a jump to an invalid access in the second run of the code
/// after the loop: it is precise at `k`, the path with `fp-16 = 2` is not pruned, and the
/// program is refused.
#[test]
fn a_checkpoint_after_a_callback_loop_keeps_its_precise_marks() {
    let src = after_callback_loop(
        "r2 = *(u64 *)(r10 - 16)\nif r2 == 2 goto bad\ngoto m\nbad:\nr0 = *(u64 *)(r10 + 8)\nexit",
    );
    for every in [false, true] {
        let e = run(&src, K618, every).expect_err("fp-16 = 2 reaches the invalid access");
        assert_eq!(e[0].rule, Rule::StackAccess, "{e:?}");
    }
    let (verdict, pruned) = testkit::pruned_at(&src, "k", K618);
    assert!(verdict.is_err());
    assert_eq!(pruned, 1);
}
