//! Reads of stack bytes deeper than every write to the frame (`UNINIT_STACK_GROW`): allowed
//! from 6.8, 6.6.14 and 6.1.191 on (checked on 6.18.44 by the `stack_read_below_writes` rule
//! case); refused by 6.6.0 - 6.6.13 and 6.1.100 - 6.1.190, whose frames are as deep as their
//! deepest write (`allocated_stack`). Those verdicts are reasoned from the source (6.1.192's
//! `check_stack_slot_within_bounds`, `check_stack_access_within_bounds`,
//! `check_stack_range_initialized`, and the fix "bpf: Fix accesses to uninit stack slots"
//! that added `env->allow_uninit_stack` to the first and the growth to the last): no such
//! kernel runs here.

use super::target::KernelVersion;
use super::transfer::testkit::maps;
use super::{verify, Rule, VerifyInput};
use crate::asm::assemble_unchecked;
use crate::ProgramType;

fn run(src: &str, kernel: KernelVersion) -> Result<(), (Rule, String)> {
    let a = assemble_unchecked(src).expect("valid text");
    let maps = maps();
    let input = VerifyInput::new(&a.insns, ProgramType::Xdp)
        .with_kernel(kernel)
        .with_maps(&a.relocations, &maps);
    verify(&input)
        .map(drop)
        .map_err(|e| (e[0].rule, e[0].message.clone()))
}

const fn v(major: u16, minor: u16, patch: u16) -> KernelVersion {
    KernelVersion::with_patch(major, minor, patch)
}

/// Targets whose reads grow the frame.
fn growing() -> [KernelVersion; 6] {
    [
        v(6, 1, 191),
        KernelVersion::new(6, 1),
        v(6, 6, 14),
        KernelVersion::DEFAULT,
        KernelVersion::new(6, 12),
        KernelVersion::new(6, 18),
    ]
}

/// Targets whose frames are as deep as their deepest write.
fn allocating() -> [KernelVersion; 4] {
    [v(6, 1, 100), v(6, 1, 190), v(6, 6, 0), v(6, 6, 13)]
}

fn refused_below(src: &str) {
    for k in allocating() {
        let (rule, msg) = run(src, k).expect_err(&k.to_string());
        assert_eq!(rule, Rule::StackAccess, "{k}: {msg}");
        assert!(msg.contains("deeper than every write"), "{k}: {msg}");
    }
    for k in growing() {
        assert_eq!(run(src, k), Ok(()), "{k}");
    }
}

#[test]
fn a_load_deeper_than_every_write() {
    refused_below("r1 = *(u64 *)(r10 - 8)\nr0 = 0\nexit");
    refused_below("r1 = 0\n*(u64 *)(r10 - 8) = r1\nr1 = *(u32 *)(r10 - 16)\nr0 = 0\nexit");
    // Within the deepest write (whole 8-byte slots: a 1-byte store at -13 allocates -16 and
    // up), bytes never written read as unknown on every target.
    let within = "r1 = 0\n*(u8 *)(r10 - 13) = r1\nr1 = *(u64 *)(r10 - 8)\nr1 = *(u32 *)(r10 - 16)\nr0 = 0\nexit";
    for k in allocating().into_iter().chain(growing()) {
        assert_eq!(run(within, k), Ok(()), "{k}");
    }
}

#[test]
fn a_helper_reads_below_but_may_write_below() {
    // The lookup's 4-byte key at r10 - 24, below the only write (r10 - 8).
    refused_below(
        "r1 = 0\n*(u64 *)(r10 - 8) = r1\nr2 = r10\nr2 += -24\nr1 = arr ll\ncall bpf_map_lookup_elem\nr0 = 0\nexit",
    );
    // `bpf_xdp_load_bytes`' buffer is only written (`ARG_PTR_TO_UNINIT_MEM`): allowed below
    // every write, and it allocates the frame down to it, so the load after it is too.
    let out = "r2 = 0\nr3 = r10\nr3 += -32\nr4 = 16\ncall bpf_xdp_load_bytes\nr1 = *(u64 *)(r10 - 8)\nr0 = 0\nexit";
    for k in allocating().into_iter().chain(growing()) {
        assert_eq!(run(out, k), Ok(()), "{k}");
    }
}

#[test]
fn a_variable_offset_read_and_an_atomic_operation_below() {
    // r1 = r10 - 16 + (0 or 8): the read may start at r10 - 16, below the write at r10 - 8.
    refused_below(
        "r1 = 0\n*(u64 *)(r10 - 8) = r1\ncall bpf_get_prandom_u32\nr0 &= 8\nr1 = r10\nr1 += -16\nr1 += r0\nr2 = *(u64 *)(r1 + 0)\nr0 = 0\nexit",
    );
    refused_below("r1 = 1\nlock *(u64 *)(r10 - 8) += r1\nr0 = 0\nexit");
}

#[test]
fn a_called_function_starts_with_a_frame_never_written() {
    // The callee's own frame: its load at r10 - 8 is below every write of that frame, even
    // though the caller's frame is written there.
    refused_below(
        "r1 = 0\n*(u64 *)(r10 - 8) = r1\ncall f\nr0 = 0\nexit\nf:\nr1 = *(u64 *)(r10 - 8)\nr0 = 0\nexit",
    );
    // The caller's stack read through a pointer is checked against the caller's frame.
    let ok = "r1 = 0\n*(u64 *)(r10 - 8) = r1\nr1 = r10\nr1 += -8\ncall f\nr0 = 0\nexit\nf:\nr2 = *(u64 *)(r1 + 0)\nr0 = 0\nexit";
    for k in allocating().into_iter().chain(growing()) {
        assert_eq!(run(ok, k), Ok(()), "{k}");
    }
}

#[test]
fn a_path_with_a_shallower_frame_is_not_pruned_by_one_with_a_deeper_frame() {
    // The fall-through writes r10 - 24 (never read again) and so allocates r10 - 16; the
    // jump's path does not. At `skip` the two hold the same live bytes (r10 - 16 never
    // written on either), and the second must not be pruned by the first: its read of
    // r10 - 16 is refused (`allocation_covers`).
    refused_below(
        "call bpf_get_prandom_u32\nr1 = 0\n*(u64 *)(r10 - 8) = r1\nif r0 == 0 goto skip\n*(u64 *)(r10 - 24) = r1\nskip:\nr1 = *(u64 *)(r10 - 16)\nr0 = 0\nexit",
    );
}

#[test]
fn a_state_covers_another_only_if_that_frame_is_allocated_as_deep() {
    use super::domain::state::{covers, Byte, Slot, Stack};
    let written = Slot::Bytes([Byte::Misc; 8]);
    let mut deep = super::initial_state();
    deep.frames[0].stack = Stack::unset();
    deep.frames[0].stack[63] = written; // r10 - 8
    let mut shallow = deep.clone();
    deep.frames[0].stack[61] = written; // r10 - 24: allocates r10 - 16 too
    assert_eq!(deep.frames[0].stack.allocated_from(), 61);
    assert_eq!(shallow.frames[0].stack.allocated_from(), 63);
    // The deeper frame's reads are allowed in the shallower one only down to r10 - 8.
    assert!(!covers(&deep, &shallow, 0x7ff));
    assert!(covers(&shallow, &deep, 0x7ff));
    // A frame of unknown bytes (a target whose reads grow the frame) is allocated all down.
    shallow.frames[0].stack = initial_state_stack();
    assert_eq!(shallow.frames[0].stack.allocated_from(), 0);
    assert!(covers(&deep, &shallow, 0x7ff));
    assert_eq!(Stack::unset().allocated_from(), super::domain::state::SLOTS);
}

fn initial_state_stack() -> super::domain::state::Stack {
    super::initial_state().frames[0].stack.clone()
}

/// Targets that refuse any read of a byte never written (before 6.1.100).
fn uninit_refusing() -> [KernelVersion; 4] {
    [v(6, 1, 0), v(6, 1, 27), v(6, 1, 99), v(6, 2, 0)]
}

fn refused_unwritten(src: &str) {
    for k in uninit_refusing() {
        let (rule, msg) = run(src, k).expect_err(&k.to_string());
        assert_eq!(rule, Rule::StackAccess, "{k}: {msg}");
        assert!(msg.contains("a stack byte never written"), "{k}: {msg}");
    }
    for k in allocating().into_iter().chain(growing()) {
        assert_eq!(run(src, k), Ok(()), "{k}");
    }
}

// Verdicts of 6.1.0 - 6.1.99 reasoned from the stable patch of "bpf: Allow reads from uninit
// stack" (6.1.100): it adds the `STACK_INVALID && allow_uninit_stack` case to
// `check_stack_read_fixed_off` and `check_stack_range_initialized`, so before it a privileged
// read of any byte never written is refused.
#[test]
fn before_6_1_100_a_read_of_a_byte_never_written_is_refused() {
    // Within the frame's deepest write: a 1-byte store at r10 - 13 leaves r10 - 16 .. -14 and
    // -12 .. -9 never written.
    refused_unwritten("r1 = 0\n*(u8 *)(r10 - 13) = r1\nr1 = *(u32 *)(r10 - 16)\nr0 = 0\nexit");
    refused_unwritten("r1 = 0\n*(u8 *)(r10 - 13) = r1\nr1 = *(u8 *)(r10 - 9)\nr0 = 0\nexit");
    // The written byte itself reads.
    let ok = "r1 = 0\n*(u8 *)(r10 - 13) = r1\nr1 = *(u8 *)(r10 - 13)\nr0 = 0\nexit";
    for k in uninit_refusing()
        .into_iter()
        .chain(allocating())
        .chain(growing())
    {
        assert_eq!(run(ok, k), Ok(()), "{k}");
    }
    // A helper's key half written: its other bytes are read.
    refused_unwritten(
        "r1 = 0\n*(u16 *)(r10 - 8) = r1\nr2 = r10\nr2 += -8\nr1 = arr ll\ncall bpf_map_lookup_elem\nr0 = 0\nexit",
    );
    // A variable-offset load over a byte never written.
    refused_unwritten(
        "r1 = 0\n*(u32 *)(r10 - 8) = r1\n*(u16 *)(r10 - 4) = r1\ncall bpf_get_prandom_u32\nr0 &= 4\nr1 = r10\nr1 += -8\nr1 += r0\nr2 = *(u32 *)(r1 + 0)\nr0 = 0\nexit",
    );
}

#[test]
fn before_6_1_100_a_narrow_spill_keeps_the_bytes_past_it_never_written() {
    // `save_register_state` leaves the slot's `STACK_INVALID` bytes alone: the 4 bytes past
    // a 4-byte spill at r10 - 8 stay never written.
    refused_unwritten(
        "call bpf_get_prandom_u32\nr0 &= 7\n*(u32 *)(r10 - 8) = r0\nr1 = *(u64 *)(r10 - 8)\nr0 = 0\nexit",
    );
    // The spilled bytes read back with the spilled number's bounds (the slot is a narrow
    // spill whose other bytes stay never written: qosify's and xdpwall's packet offsets):
    // here a stack offset of 0..=7 below r10 - 16.
    let ok = "call bpf_get_prandom_u32\nr0 &= 7\n*(u32 *)(r10 - 8) = r0\nr1 = *(u32 *)(r10 - 8)\nr2 = r10\nr2 += -16\nr2 += r1\n*(u8 *)(r2 + 0) = 1\nr0 = 0\nexit";
    for k in uninit_refusing()
        .into_iter()
        .chain(allocating())
        .chain(growing())
    {
        assert_eq!(run(ok, k), Ok(()), "{k}");
    }
    // A byte stored into the slot's other bytes scrubs the spill; the bytes never written
    // stay so.
    refused_unwritten(
        "call bpf_get_prandom_u32\nr0 &= 7\n*(u32 *)(r10 - 8) = r0\n*(u8 *)(r10 - 3) = r0\nr1 = *(u8 *)(r10 - 4)\nr0 = 0\nexit",
    );
}

#[test]
fn a_never_written_byte_past_a_narrow_spill_is_covered_only_by_one_never_written() {
    use super::domain::scalar::Scalar;
    use super::domain::state::{covers, Byte, Slot, Stack};
    let mut old = super::initial_state();
    old.frames[0].stack = Stack::unset();
    old.frames[0].stack[63] = Slot::Part(Scalar::konst(3), 4, 0, 0xf0);
    let mut new = old.clone();
    assert!(covers(&old, &new, 0x7ff));
    // Unknown bytes past the old spill do not cover never-written ones (refused reads).
    old.frames[0].stack[63] = Slot::Part(Scalar::konst(3), 4, 0, 0);
    assert!(!covers(&old, &new, 0x7ff));
    assert!(covers(&new, &old, 0x7ff));
    // Nor do old unknown plain bytes.
    old.frames[0].stack[63] = Slot::Bytes([Byte::Misc; 8]);
    assert!(!covers(&old, &new, 0x7ff));
    new.frames[0].stack[63] = Slot::Part(Scalar::konst(3), 4, 0, 0);
    assert!(covers(&old, &new, 0x7ff));
}

#[test]
fn a_new_byte_never_written_is_covered_only_by_one_never_written() {
    use super::domain::state::{covers, Byte, Slot, Stack};
    let mut old = super::initial_state();
    old.frames[0].stack = Stack::unset();
    old.frames[0].stack[63] = Slot::Bytes([Byte::Misc; 8]);
    let mut new = old.clone();
    new.frames[0].stack[63] = Slot::Bytes([
        Byte::Misc,
        Byte::Unset,
        Byte::Misc,
        Byte::Misc,
        Byte::Misc,
        Byte::Misc,
        Byte::Misc,
        Byte::Misc,
    ]);
    // Old read byte 1 as unknown (allowed from 6.1.100): new may be refused it.
    assert!(!covers(&old, &new, 0x7ff));
    assert!(covers(&new, &old, 0x7ff));
}
