//! The static verifier on small programs: every rule has a program it rejects (with the rule
//! and a message naming the state) and a close variant it accepts; the seed programs pass; a
//! 10,000-instruction program is verified (time printed, not asserted).

use std::borrow::Cow;
use std::time::Instant;

use ebpf_dsl::asm::assemble_unchecked as assemble;
use ebpf_dsl::btf::SubprogFunc;
use ebpf_dsl::verifier::{verify, Report, Rule, VerifierError, VerifyInput};
use ebpf_dsl::{MapSpec, MapType, ProgramType};

fn map(name: &'static str, t: MapType, k: u32, v: u32) -> MapSpec {
    MapSpec {
        name: Cow::Borrowed(name),
        map_type: t,
        key_size: k,
        value_size: v,
        max_entries: 16,
        flags: 0,
        btf: None,
        inner: None,
    }
}

fn maps() -> Vec<MapSpec> {
    vec![
        map("xsks", MapType::Xskmap, 4, 4),
        map("counters", MapType::Array, 4, 16),
        map("flows", MapType::Hash, 8, 8),
        // A ring buffer's max_entries is its size in bytes: a page.
        MapSpec {
            max_entries: 4096,
            ..map("ring", MapType::Ringbuf, 0, 0)
        },
        map("jumps", MapType::ProgArray, 4, 4),
    ]
}

fn run(src: &str, pt: ProgramType) -> Result<Report, Vec<VerifierError>> {
    let a = assemble(src).unwrap_or_else(|e| panic!("assembly failed: {e:?}\n{src}"));
    let ms = maps();
    let input = VerifyInput::new(&a.insns, pt).with_maps(&a.relocations, &ms);
    verify(&input)
}

#[track_caller]
fn accept(src: &str) {
    accept_as(src, ProgramType::Xdp)
}

#[track_caller]
fn accept_as(src: &str, pt: ProgramType) {
    if let Err(e) = run(src, pt) {
        panic!("expected acceptance, got {e:#?}\n{src}");
    }
}

#[track_caller]
fn reject(src: &str, rule: Rule, needle: &str) -> VerifierError {
    reject_as(src, ProgramType::Xdp, rule, needle)
}

#[track_caller]
fn reject_as(src: &str, pt: ProgramType, rule: Rule, needle: &str) -> VerifierError {
    match run(src, pt) {
        Ok(r) => panic!("expected rejection ({rule:?}), got acceptance {r:?}\n{src}"),
        Err(errs) => {
            let e = errs[0].clone();
            assert_eq!(e.rule, rule, "wrong rule: {e}\n{src}");
            assert!(
                e.message.contains(needle),
                "message {:?} lacks {needle:?}\n{src}",
                e.message
            );
            e
        }
    }
}

const PARSE: &str = "
r2 = *(u32 *)(r1 + 0)
r3 = *(u32 *)(r1 + 4)
r4 = r2
r4 += 34
if r4 > r3 goto pass
";

#[test]
fn seeds_pass() {
    for (name, _, text) in ebpf_dsl::seeds::SEEDS {
        if let Err(e) = run(text, ProgramType::Xdp) {
            panic!("seed {name} rejected: {e:#?}");
        }
    }
}

#[test]
fn packet_bounds() {
    accept(&format!(
        "{PARSE}r0 = *(u8 *)(r2 + 23)\nif r0 != 17 goto pass\nr0 = 1\nexit\npass:\nr0 = 2\nexit\n"
    ));
    accept(&format!(
        "{PARSE}r0 = *(u32 *)(r2 + 30)\npass:\nr0 = 2\nexit\n"
    ));
    let e = reject(
        &format!("{PARSE}r0 = *(u32 *)(r2 + 31)\npass:\nr0 = 2\nexit\n"),
        Rule::PacketBounds,
        "proven safe up to data + 34",
    );
    assert_eq!(e.insn_index, 5);
    assert!(e.message.contains("data + 31..35"), "{}", e.message);
    // No check at all.
    reject(
        "r2 = *(u32 *)(r1 + 0)\nr0 = *(u8 *)(r2 + 0)\nexit",
        Rule::PacketBounds,
        "not yet compared against data_end",
    );
    // The check on the wrong branch.
    reject(
        "r2 = *(u32 *)(r1 + 0)\nr3 = *(u32 *)(r1 + 4)\nr4 = r2\nr4 += 14\nif r4 > r3 goto bad\nr0 = 2\nexit\nbad:\nr0 = *(u8 *)(r2 + 0)\nexit",
        Rule::PacketBounds,
        "",
    );
    // Reversed operands and other operators.
    accept("r2 = *(u32 *)(r1 + 0)\nr3 = *(u32 *)(r1 + 4)\nr4 = r2\nr4 += 14\nif r3 < r4 goto out\nr0 = *(u16 *)(r2 + 12)\nout:\nr0 = 2\nexit");
    accept("r2 = *(u32 *)(r1 + 0)\nr3 = *(u32 *)(r1 + 4)\nr4 = r2\nr4 += 14\nif r3 >= r4 goto ok\nr0 = 1\nexit\nok:\nr0 = *(u16 *)(r2 + 12)\nexit");
    // Negative offset from data.
    reject(
        &format!("{PARSE}r0 = *(u8 *)(r2 - 1)\npass:\nr0 = 2\nexit\n"),
        Rule::PacketBounds,
        "before data",
    );
    // Writing is fine in XDP.
    accept(&format!(
        "{PARSE}*(u8 *)(r2 + 0) = 1\npass:\nr0 = 2\nexit\n"
    ));
}

#[test]
fn variable_packet_offset() {
    // IPv4 header length from the IHL nibble, then the bounds check on the variable pointer.
    accept(
        "r2 = *(u32 *)(r1 + 0)
r3 = *(u32 *)(r1 + 4)
r4 = r2
r4 += 34
if r4 > r3 goto pass
r5 = *(u8 *)(r2 + 14)
r5 &= 15
r5 <<= 2
r6 = r2
r6 += r5
r7 = r6
r7 += 22
if r7 > r3 goto pass
r0 = *(u16 *)(r6 + 20)
pass:
r0 = 2
exit",
    );
    reject(
        "r2 = *(u32 *)(r1 + 0)
r3 = *(u32 *)(r1 + 4)
r4 = r2
r4 += 34
if r4 > r3 goto pass
r5 = *(u8 *)(r2 + 14)
r6 = r2
r6 += r5
r0 = *(u8 *)(r6 + 0)
pass:
r0 = 2
exit",
        Rule::PacketBounds,
        "var(0..=255)",
    );
    // Unbounded offset.
    reject(
        "r2 = *(u32 *)(r1 + 0)\nr5 = *(u32 *)(r1 + 16)\nr5 <<= 40\nr2 += r5\nr0 = 2\nexit",
        Rule::PointerArithmetic,
        "not bounded",
    );
}

#[test]
fn null_checks() {
    let lookup = "r1 = 0\n*(u32 *)(r10 - 4) = r1\nr2 = r10\nr2 += -4\nr1 = counters ll\ncall bpf_map_lookup_elem\n";
    accept(&format!(
        "{lookup}if r0 == 0 goto out\nr1 = *(u64 *)(r0 + 8)\nout:\nr0 = 2\nexit"
    ));
    accept(&format!("{lookup}r6 = r0\nif r0 != 0 goto ok\nr0 = 2\nexit\nok:\nr1 = *(u32 *)(r6 + 12)\nr0 = 2\nexit"));
    reject(
        &format!("{lookup}r1 = *(u64 *)(r0 + 8)\nr0 = 2\nexit"),
        Rule::NullCheck,
        "may be NULL",
    );
    reject(
        &format!("{lookup}if r0 == 0 goto out\nr1 = *(u64 *)(r0 + 9)\nout:\nr0 = 2\nexit"),
        Rule::MapValueBounds,
        "16 bytes",
    );
    reject(
        &format!("{lookup}r0 += 4\nr0 = 2\nexit"),
        Rule::NullCheck,
        "null-check it first",
    );
    // XSKMAP entries are not readable.
    accept("r2 = *(u32 *)(r1 + 16)\n*(u32 *)(r10 - 4) = r2\nr2 = r10\nr2 += -4\nr1 = xsks ll\ncall bpf_map_lookup_elem\nif r0 == 0 goto out\nr0 = 4\nexit\nout:\nr0 = 2\nexit");
}

#[test]
fn uninitialised_registers() {
    let e = reject("r0 = r5\nexit", Rule::UninitRegister, "r5 is read");
    assert_eq!(e.insn_index, 0);
    reject(
        "r0 = 2\ncall bpf_ktime_get_ns\nr0 = r1\nexit",
        Rule::UninitRegister,
        "clobber",
    );
    reject("exit", Rule::ReturnValue, "r0 is not set");
    reject(
        "r0 = 1\nif r0 > 0 goto a\nr6 = 1\na:\nr0 = r6\nexit",
        Rule::UninitRegister,
        "r6",
    );
}

#[test]
fn context_access() {
    accept("r0 = *(u32 *)(r1 + 16)\nexit");
    reject("r0 = *(u64 *)(r1 + 0)\nexit", Rule::ContextAccess, "4-byte");
    reject(
        "r0 = *(u32 *)(r1 + 20)\nexit",
        Rule::ContextAccess,
        "egress_ifindex",
    );
    reject(
        "r0 = *(u32 *)(r1 + 24)\nexit",
        Rule::ContextAccess,
        "24 bytes",
    );
    reject(
        "*(u32 *)(r1 + 16) = 1\nr0 = 2\nexit",
        Rule::ContextAccess,
        "read-only",
    );
    reject(
        "r1 += 4\nr0 = *(u32 *)(r1 + 0)\nexit",
        Rule::ContextAccess,
        "unmodified",
    );
    // Socket filter: __sk_buff, narrow reads, cb writes.
    accept_as(
        "r0 = *(u32 *)(r1 + 0)\nr2 = *(u8 *)(r1 + 16)\n*(u32 *)(r1 + 48) = r2\nexit",
        ProgramType::SocketFilter,
    );
    reject_as(
        "r0 = *(u32 *)(r1 + 76)\nexit",
        ProgramType::SocketFilter,
        Rule::ContextAccess,
        "data",
    );
    reject_as(
        "*(u32 *)(r1 + 8) = 1\nr0 = 0\nexit",
        ProgramType::SocketFilter,
        Rule::ContextAccess,
        "cb",
    );
}

#[test]
fn stack_rules() {
    accept("*(u64 *)(r10 - 512) = 1\nr0 = *(u64 *)(r10 - 512)\nexit");
    reject(
        "*(u64 *)(r10 - 520) = 1\nr0 = 2\nexit",
        Rule::StackAccess,
        "outside the 512-byte frame",
    );
    reject(
        "*(u64 *)(r10 + 0) = 1\nr0 = 2\nexit",
        Rule::StackAccess,
        "outside",
    );
    reject(
        "*(u32 *)(r10 - 6) = 1\nr0 = 2\nexit",
        Rule::StackAccess,
        "misaligned",
    );
    reject("r10 = 1\nr0 = 2\nexit", Rule::FramePointer, "read-only");
    // Spill and fill keep the pointer type.
    accept("*(u64 *)(r10 - 8) = r1\nr1 = *(u64 *)(r10 - 8)\nr0 = *(u32 *)(r1 + 16)\nexit");
    reject(
        "*(u64 *)(r10 - 8) = r1\nr1 = *(u32 *)(r10 - 8)\nr0 = 2\nexit",
        Rule::StackAccess,
        "spilled pointer",
    );
    reject(
        "*(u32 *)(r10 - 8) = r1\nr0 = 2\nexit",
        Rule::StackAccess,
        "8-byte store",
    );
    // Uninitialised stack reads are allowed for a privileged loader (they yield unknown).
    accept("r0 = *(u64 *)(r10 - 8)\nexit");
    reject(
        "r0 = *(u64 *)(r10 - 8)\nr1 = *(u8 *)(r0 + 0)\nexit",
        Rule::MemoryAccess,
        "not a pointer",
    );
}

#[test]
fn arithmetic_rules() {
    reject("r0 = 1\nr0 /= 0\nexit", Rule::DivisionByZero, "constant 0");
    reject("r0 = 1\nr0 %= 0\nexit", Rule::DivisionByZero, "");
    accept("r0 = 1\nr1 = 0\nr0 /= r1\nexit");
    reject(
        "r0 = 1\nr0 <<= 64\nexit",
        Rule::InvalidShift,
        "invalid shift by 64",
    );
    reject("w0 = 1\nw0 >>= 32\nexit", Rule::InvalidShift, "32-bit");
    accept("r0 = 1\nr0 <<= 63\nexit");
    reject(
        "r2 = *(u32 *)(r1 + 4)\nr2 += 1\nr0 = 2\nexit",
        Rule::PointerArithmetic,
        "data_end",
    );
    reject(
        "r2 = *(u32 *)(r1 + 0)\nr3 = *(u32 *)(r1 + 4)\nr2 += r3\nr0 = 2\nexit",
        Rule::PointerArithmetic,
        "two pointers",
    );
    accept("r2 = *(u32 *)(r1 + 0)\nr3 = *(u32 *)(r1 + 4)\nr3 -= r2\nr0 = r3\nexit");
    reject(
        "r2 = r10\nr2 &= 7\nr0 = 2\nexit",
        Rule::PointerArithmetic,
        "only adding",
    );
    reject(
        "r2 = r1\nw2 += 4\nr0 = 2\nexit",
        Rule::PointerArithmetic,
        "32-bit",
    );
}

#[test]
fn return_values() {
    // A privileged loader may return anything initialised, even a pointer (kernel 6.18).
    accept("r0 = r1\nexit");
    accept("r0 = *(u32 *)(r1 + 12)\nexit");
    reject("r1 = 2\nexit", Rule::ReturnValue, "r0 is not set");
}

#[test]
fn helper_rules() {
    reject("call 9999\nr0 = 2\nexit", Rule::UnknownHelper, "#9999");
    reject(
        "r1 = 0\nr2 = 0\nr3 = 0\nr4 = 0\nr5 = 0\ncall bpf_skb_store_bytes\nr0 = 2\nexit",
        Rule::HelperNotAllowed,
        "xdp",
    );
    reject(
        "r1 = 1\nr2 = 1\nr3 = 2\ncall bpf_redirect_map\nexit",
        Rule::HelperArgument,
        "expects a map",
    );
    reject(
        "r1 = counters ll\nr2 = 1\nr3 = 2\ncall bpf_redirect_map\nexit",
        Rule::MapCompatibility,
        "array",
    );
    reject(
        "r1 = flows ll\nr2 = r10\nr2 += -4\ncall bpf_map_lookup_elem\nr0 = 2\nexit",
        Rule::StackAccess,
        "outside",
    );
    accept("r1 = flows ll\nr2 = r10\nr2 += -8\ncall bpf_map_lookup_elem\nr0 = 2\nexit");
    reject(
        "r1 = 1\ncall bpf_xdp_adjust_head\nr0 = 2\nexit",
        Rule::HelperArgument,
        "context",
    );
    // Packet pointers are invalid after bpf_xdp_adjust_head.
    reject(
        &format!("{PARSE}r6 = r2\nr2 = 0\ncall bpf_xdp_adjust_head\nr0 = *(u8 *)(r6 + 0)\npass:\nr0 = 2\nexit\n"),
        Rule::MemoryAccess,
        "not a pointer",
    );
    // GPL-only helper with a non-GPL license.
    let a = assemble("r1 = r10\nr1 += -8\n*(u64 *)(r10 - 8) = 0\nr2 = 8\nr3 = 0\nr4 = 0\nr5 = 0\ncall bpf_trace_printk\nr0 = 2\nexit").unwrap();
    let mut input = VerifyInput::new(&a.insns, ProgramType::Xdp);
    assert!(verify(&input).is_ok());
    input.license = "Proprietary";
    assert_eq!(verify(&input).unwrap_err()[0].rule, Rule::HelperNotAllowed);
}

#[test]
fn ringbuf_references() {
    let reserve = "r1 = ring ll\nr2 = 16\nr3 = 0\ncall bpf_ringbuf_reserve\n";
    accept(&format!("{reserve}if r0 == 0 goto out\n*(u64 *)(r0 + 8) = 1\nr1 = r0\nr2 = 0\ncall bpf_ringbuf_submit\nout:\nr0 = 2\nexit"));
    reject(
        &format!("{reserve}if r0 == 0 goto out\n*(u64 *)(r0 + 8) = 1\nout:\nr0 = 2\nexit"),
        Rule::ReferenceLeak,
        "neither submitted",
    );
    reject(
        &format!("{reserve}*(u64 *)(r0 + 8) = 1\nr0 = 2\nexit"),
        Rule::NullCheck,
        "",
    );
    reject(&format!("{reserve}if r0 == 0 goto out\n*(u64 *)(r0 + 16) = 1\nr1 = r0\nr2 = 0\ncall bpf_ringbuf_discard\nout:\nr0 = 2\nexit"), Rule::MemoryAccess, "16-byte ring buffer");
}

#[test]
fn structure_rules() {
    reject(
        "r0 = 2\nexit\nr0 = 1\nexit",
        Rule::Unreachable,
        "instruction 2",
    );
    reject("r0 = 2\ngoto +0\nr0 = 1", Rule::Structure, "");
}

#[test]
fn loops() {
    // A bounded loop is fine.
    accept("r0 = 0\nr1 = 0\nloop:\nr0 += r1\nr1 += 1\nif r1 < 100 goto loop\nexit");
    // No progress: the kernel says "infinite loop detected".
    reject("r0 = 0\nloop:\ngoto loop", Rule::InfiniteLoop, "same state");
    // A loop whose bound is not known never terminates for the verifier either.
    let e = run(
        "r0 = 0\nr1 = *(u32 *)(r1 + 16)\nloop:\nr0 += 1\nif r0 != r1 goto loop\nexit",
        ProgramType::Xdp,
    )
    .unwrap_err();
    assert!(
        matches!(e[0].rule, Rule::Complexity | Rule::InfiniteLoop),
        "{e:?}"
    );
}

#[test]
fn bpf_to_bpf_calls() {
    accept("r1 = 5\ncall add_one\nexit\nadd_one:\nr0 = r1\nr0 += 1\nexit");
    // The callee's stack pointer cannot be returned.
    reject(
        "call f\nr0 = 2\nexit\nf:\nr0 = r10\nr0 += -8\nexit",
        Rule::PointerLeak,
        "stack pointer",
    );
    // Caller's stack passed down.
    accept(
        "*(u64 *)(r10 - 8) = 7\nr1 = r10\nr1 += -8\ncall f\nexit\nf:\nr0 = *(u64 *)(r1 + 0)\nexit",
    );
    // Combined stack too large.
    reject(
        "*(u64 *)(r10 - 512) = 1\ncall f\nr0 = 2\nexit\nf:\n*(u64 *)(r10 - 8) = 1\nr0 = 0\nexit",
        Rule::CallStack,
        "512",
    );
}

/// The kernel's limit on tail calls with bpf-to-bpf calls (`check_max_stack_depth_subprog`):
/// a function other than the main one that contains a tail call must be entered below less
/// than 256 bytes of its callers' frames (`driver::tail_call_prefix`, unit-tested there); the
/// main function's own tail call has no such limit, however deep its stack or its calls.
#[test]
fn tail_calls_below_calls() {
    let tail = "r2 = jumps ll\nr3 = 0\ncall bpf_tail_call\n";
    // A tail call in the main function, 256 bytes of stack, a subprogram: accepted (l3af's
    // ipfix flow exporter is shaped so; the kernel accepts it).
    accept(&format!(
        "r6 = r1\n*(u64 *)(r10 - 256) = 1\ncall f\nr1 = r6\n{tail}r0 = 2\nexit\nf:\n*(u64 *)(r10 - 256) = 1\nr0 = 0\nexit"
    ));
    // A tail call in a subprogram: refused whatever the stack, as by the kernel for a load
    // without BTF function info.
    reject(
        &format!("call f\nr0 = 2\nexit\nf:\n{tail}r0 = 2\nexit"),
        Rule::Structure,
        "without BTF",
    );
    // With BTF function info (an object's `.BTF.ext`, which libbpf passes): allowed in a
    // function returning a number, below less than 256 bytes of its callers' stack.
    let f = |insn, returns_scalar| {
        [SubprogFunc {
            insn,
            returns_scalar,
        }]
    };
    let src = format!("*(u64 *)(r10 - 224) = 1\ncall f\nr0 = 2\nexit\nf:\n{tail}r0 = 2\nexit");
    run_with_func_info(&src, &f(4, true)).expect("a tail call in an int function");
    let e = run_with_func_info(&src, &f(4, false)).unwrap_err();
    assert_eq!(e[0].rule, Rule::Structure, "{}", e[0]);
    assert!(e[0].message.contains("return"), "{}", e[0]);
    let src = format!("*(u64 *)(r10 - 256) = 1\ncall f\nr0 = 2\nexit\nf:\n{tail}r0 = 2\nexit");
    let e = run_with_func_info(&src, &f(4, true)).unwrap_err();
    assert_eq!(e[0].rule, Rule::CallStack, "{}", e[0]);
    assert!(e[0].message.contains("256"), "{}", e[0]);
    // The tail call counts by the function's text, reached or not (the kernel's
    // `has_tail_call`): r2 is 0 at the call, the tail call never runs, still refused.
    let src = format!(
        "*(u64 *)(r10 - 256) = 1\nr2 = 0\ncall f\nr0 = 2\nexit\nf:\nif r2 == 0 goto out\n{tail}out:\nr0 = 2\nexit"
    );
    let e = run_with_func_info(&src, &f(5, true)).unwrap_err();
    assert_eq!(e[0].rule, Rule::CallStack, "{}", e[0]);
}

/// A tail call taken in a subprogram returns the tail-called program's value to the caller
/// (only the subprogram's frame is replaced): the kernel (6.18) walks a return right after the
/// call with `r0` unknown and the packet pointers gone. Found by tools/state-compare on the
/// selftests' `exceptions.o` (`exception_tail_call`, where ours believed the caller's `r0`
/// was the subprogram's own 0..=u32::MAX); a C program shaped as the first case below is
/// refused by 6.18 with "R1 invalid mem access 'scalar'".
#[test]
fn a_tail_call_taken_in_a_subprogram_returns_to_the_caller() {
    let tail = "r2 = jumps ll\nr3 = 0\ncall bpf_tail_call\n";
    let fi = [SubprogFunc {
        insn: 6,
        returns_scalar: true,
    }];
    // The caller trusts the subprogram's own value (0): the `s< 0` path is reachable.
    let src = format!(
        "call f\nif r0 s< 0 goto bad\nr0 = 0\nexit\nbad:\nr0 = *(u8 *)(r0 + 0)\nexit\nf:\n{tail}r0 = 0\nexit"
    );
    let e = run_with_func_info(&src, &fi).unwrap_err();
    assert_eq!(e[0].rule, Rule::MemoryAccess, "{}", e[0]);
    assert_eq!(e[0].insn_index, 4, "{}", e[0]);
    // Without that path, accepted.
    let src = format!("call f\nr0 = 0\nr0 = 0\nr0 = 0\nr0 = 0\nexit\nf:\n{tail}r0 = 0\nexit");
    run_with_func_info(&src, &fi).expect("no use of r0");
}

/// Verifies `src` (a socket filter) as a load with BTF function info `fi`.
fn run_with_func_info(src: &str, fi: &[SubprogFunc]) -> Result<Report, Vec<VerifierError>> {
    let a = assemble(src).unwrap_or_else(|e| panic!("assembly failed: {e:?}\n{src}"));
    let ms = maps();
    let input = VerifyInput::new(&a.insns, ProgramType::SocketFilter)
        .with_maps(&a.relocations, &ms)
        .with_func_info(fi);
    verify(&input)
}

/// LD_ABS/LD_IND in a subprogram with BTF function info: allowed, as by the kernel, except in
/// or under a callback (refused by the text of the call graph: stricter than 6.18, which
/// accepts it under a `bpf_loop` callback, as 6.12's `check_ld_abs` does not).
#[test]
fn ld_abs_in_subprograms() {
    let fi = [SubprogFunc {
        insn: 4,
        returns_scalar: true,
    }];
    let src = "r6 = r1\ncall f\nr0 = 2\nexit\nf:\nr6 = r1\nr0 = *(u8 *)skb[0]\nexit";
    run_with_func_info(src, &fi).expect("LD_ABS in an int subprogram");
    let e = run_with_func_info(src, &[]).unwrap_err();
    assert_eq!(e[0].rule, Rule::Structure, "{}", e[0]);
    // f is bpf_loop's callback (its LD_ABS never runs: refused by the text).
    let cb = "r6 = r1\nr1 = 1\nr2 = f ll\nr3 = 0\nr4 = 0\ncall bpf_loop\nr0 = 2\nexit\nf:\nr0 = 0\nif r0 == 0 goto out\nr0 = *(u8 *)skb[0]\nout:\nr0 = 0\nexit";
    let e = run_with_func_info(
        cb,
        &[SubprogFunc {
            insn: 9,
            returns_scalar: true,
        }],
    )
    .unwrap_err();
    assert_eq!(e[0].rule, Rule::CallStack, "{}", e[0]);
    assert!(e[0].message.contains("callback"), "{}", e[0]);
}

#[test]
fn jmp32_and_signed() {
    let tail = "r6 = r2\nr6 += r5\nr7 = r6\nr7 += 24\nif r7 > r3 goto pass\nr0 = *(u8 *)(r6 + 23)\npass:\nr0 = 2\nexit\n";
    accept(&format!(
        "{PARSE}r5 = *(u8 *)(r2 + 14)\nw5 &= 15\nif w5 > 10 goto pass\n{tail}"
    ));
    accept(&format!(
        "{PARSE}r5 = *(u8 *)(r2 + 14)\nif w5 s> 10 goto pass\n{tail}"
    ));
    // Signed 32-bit bound on a 32-bit load: negative values remain possible.
    reject(
        &format!("{PARSE}r5 = *(u32 *)(r2 + 14)\nif w5 s> 10 goto pass\n{tail}"),
        Rule::PacketBounds,
        "var(0..=4294967295)",
    );
    // Unsigned bound on the low half only of a 64-bit unknown: the high half is still unknown.
    reject(
        &format!("{PARSE}r5 = *(u64 *)(r10 - 8)\nif w5 > 10 goto pass\n{tail}"),
        Rule::PointerArithmetic,
        "not bounded",
    );
}

#[test]
fn messages_display() {
    let e = reject(
        &format!("{PARSE}r0 = *(u32 *)(r2 + 31)\npass:\nr0 = 2\nexit\n"),
        Rule::PacketBounds,
        "",
    );
    let s = e.to_string();
    assert!(s.starts_with("instruction 5:"), "{s}");
    assert!(s.ends_with("[packet bounds]"), "{s}");
}

/// A 10,000-instruction program: a long straight-line packet parse with branches.
#[test]
fn speed_10k_instructions() {
    let mut src = String::from(PARSE);
    let mut n = 5;
    let mut k = 0;
    while n < 9_990 {
        src.push_str(&format!(
            "r5 = *(u8 *)(r2 + {})\nif r5 == {} goto skip{k}\nr0 = r5\nr0 += 1\nskip{k}:\n",
            k % 34,
            k % 256
        ));
        n += 4;
        k += 1;
    }
    src.push_str("pass:\nr0 = 2\nexit\n");
    let a = assemble(&src).expect("assembles");
    let t = Instant::now();
    let ms = maps();
    let r = verify(&VerifyInput::new(&a.insns, ProgramType::Xdp).with_maps(&a.relocations, &ms));
    let dt = t.elapsed();
    println!(
        "verified {} instructions in {:?}: {:?}",
        a.insns.len(),
        dt,
        r.as_ref().map(|r| r.insns_processed)
    );
    assert!(a.insns.len() >= 9_990);
    r.expect("accepted");
}

/// Malformed and random programs never make the verifier panic (or run away): random slots
/// drawn from real opcodes with random registers, offsets and immediates, random map
/// relocations, some of them pointing at the wrong instruction.
#[test]
fn random_programs_never_panic() {
    use ebpf_dsl::{Insn, RelocKind, Relocation};
    let mut x: u64 = 0x1234_5678_9abc_def0;
    let mut next = move || {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        x
    };
    let codes: Vec<u8> = vec![
        0x07, 0x0f, 0x17, 0x1f, 0x27, 0x2f, 0x37, 0x3f, 0x47, 0x4f, 0x57, 0x5f, 0x67, 0x6f, 0x77,
        0x7f, 0x87, 0x97, 0x9f, 0xa7, 0xaf, 0xb7, 0xbf, 0xc7, 0xcf, 0xd7, 0xd4, 0xdc, 0x04, 0x0c,
        0x14, 0x1c, 0x24, 0x34, 0x44, 0x54, 0x64, 0x74, 0x84, 0x94, 0xa4, 0xb4, 0xbc, 0xc4, 0x05,
        0x15, 0x1d, 0x25, 0x2d, 0x35, 0x45, 0x55, 0x5d, 0x65, 0x75, 0x85, 0x8d, 0x95, 0xa5, 0xad,
        0xb5, 0xc5, 0xd5, 0x06, 0x16, 0x1e, 0x26, 0xa6, 0xd6, 0x18, 0x00, 0x20, 0x28, 0x30, 0x40,
        0x61, 0x69, 0x71, 0x79, 0x81, 0x89, 0x91, 0x62, 0x6a, 0x72, 0x7a, 0x63, 0x6b, 0x73, 0x7b,
        0xc3, 0xdb, 0xff, 0xe5,
    ];
    let ms = maps();
    let mut outcomes = [0usize; 2];
    let mut rules = std::collections::BTreeMap::new();
    for round in 0..20_000 {
        let len = 1 + (next() % 40) as usize;
        let mut insns: Vec<Insn> = (0..len)
            .map(|_| {
                let r = next();
                let code = codes[(r % codes.len() as u64) as usize];
                let dst = ((r >> 8) % 11) as u8;
                let src = if code == 0x18 {
                    ((r >> 12) % 3) as u8
                } else {
                    ((r >> 12) % 11) as u8
                };
                let off = if (code & 0x07) == 0x05 || (code & 0x07) == 0x06 {
                    ((r >> 16) % 4) as i16
                } else {
                    ((r >> 16) % 64) as i16 - 32
                };
                let imm = match (r >> 24) % 4 {
                    0 => 0,
                    1 => ((r >> 32) % 64) as i32 - 16,
                    2 => [16, 32, 64, 1, 0xe1, 0xf1, 0x40][((r >> 32) % 7) as usize],
                    _ => (r >> 32) as i32,
                };
                // Mostly well-formed fields, so that the analysis itself gets exercised.
                let (mut src, mut off, mut imm) = (src, off, imm);
                if r % 16 != 0 {
                    let class = code & 0x07;
                    let x = code & 0x08 != 0;
                    match class {
                        0x04 | 0x07 => {
                            off = 0;
                            if x {
                                imm = 0
                            } else {
                                src = 0
                            }
                            if code & 0xf0 == 0xd0 {
                                src = 0;
                                imm = [16, 32, 64][(r % 3) as usize]
                            }
                        }
                        0x05 | 0x06 => {
                            if x {
                                imm = 0
                            } else if code != 0x85 {
                                src = 0
                            }
                            if code == 0x95 {
                                src = 0;
                                off = 0;
                                imm = 0
                            }
                            if code == 0x85 {
                                off = 0;
                                imm = [1, 5, 7, 12, 23, 51, 131][(r % 7) as usize];
                                src = 0
                            }
                        }
                        0x01 => imm = 0,
                        0x02 => src = 0,
                        0x03 if code & 0xe0 != 0xc0 => imm = 0,
                        _ => {}
                    }
                }
                Insn::new(code, dst, src, off, imm)
            })
            .collect();
        if round % 3 != 0 {
            insns.push(Insn::new(0xb7, 0, 0, 0, 2));
            insns.push(Insn::new(0x95, 0, 0, 0, 0));
        }
        let relocs: Vec<Relocation> = (0..(next() % 3))
            .map(|_| Relocation {
                insn_index: (next() % (insns.len() as u64 + 2)) as usize,
                symbol: Cow::Borrowed(
                    ["xsks", "counters", "flows", "ring", "jumps", "nope"][(next() % 6) as usize],
                ),
                kind: if next() % 4 == 0 {
                    RelocKind::MapValue {
                        offset: (next() % 20) as u32,
                    }
                } else {
                    RelocKind::MapFd
                },
            })
            .collect();
        let pt = if round % 2 == 0 {
            ProgramType::Xdp
        } else {
            ProgramType::SocketFilter
        };
        let r = verify(&VerifyInput::new(&insns, pt).with_maps(&relocs, &ms));
        outcomes[usize::from(r.is_ok())] += 1;
        if let Err(e) = &r {
            *rules.entry(e[0].rule.name()).or_insert(0usize) += 1;
        }
    }
    println!("{rules:?}");
    println!(
        "random programs: {} rejected, {} accepted",
        outcomes[0], outcomes[1]
    );
    assert!(outcomes[0] > 0);
}

/// A function whose last instruction is not `exit` or `goto` is reported once, on that
/// instruction, naming the function execution would run into; a jump out of a function is
/// its own error.
#[test]
fn function_layout_errors() {
    let errs = run(
        "call f\nr0 = 2\nexit\nf:\nr0 = 0\ncall g\ng:\nr0 = 1\nexit\n",
        ProgramType::Xdp,
    )
    .unwrap_err();
    assert_eq!(errs.len(), 1, "{errs:?}");
    assert_eq!(errs[0].rule, Rule::Structure);
    assert_eq!(errs[0].insn_index, 4);
    assert!(
        errs[0]
            .message
            .contains("execution would run on into the function at instruction 5"),
        "{}",
        errs[0].message
    );
    let e = reject(
        "call f\nback:\nr0 = 2\nexit\nf:\nr0 = 1\ngoto back\n",
        Rule::Structure,
        "leaves its function",
    );
    assert_eq!(e.insn_index, 4);
    // Recursion names the function already on the call stack.
    reject(
        "call f\nr0 = 2\nexit\nf:\ncall f\nr0 = 0\nexit\n",
        Rule::CallStack,
        "already on the call stack",
    );
    // A helper number the kernel does not have, and a kernel helper this verifier does not
    // model, are told apart.
    reject(
        "call 9999\nr0 = 2\nexit",
        Rule::UnknownHelper,
        "no kernel helper #9999",
    );
    reject(
        "call bpf_user_ringbuf_drain\nr0 = 2\nexit",
        Rule::UnknownHelper,
        "bpf_user_ringbuf_drain (helper #209) is not modelled",
    );
}

/// A target older than 6.1 (the oldest whose verifier the gates were audited against) is
/// refused whatever the program, as unsupported, with the reason and a hint; 6.1 verifies.
/// Before, `bpf_loop` (Linux 5.17) and `bpf_ktime_get_tai_ns` (6.1) were accepted for 5.10.
#[test]
fn targets_before_6_1_are_refused() {
    use ebpf_dsl::verifier::KernelVersion;
    let src = "r1 = 1\nr2 = cb ll\nr3 = 0\nr4 = 0\ncall bpf_loop\ncall bpf_ktime_get_tai_ns\nr0 = 2\nexit\ncb:\nr0 = 0\nexit";
    let a = assemble(src).unwrap();
    let input = VerifyInput::new(&a.insns, ProgramType::Xdp);
    for old in [(5, 10), (5, 15), (6, 0), (4, 19)] {
        let k = KernelVersion::new(old.0, old.1);
        let errs = verify(&input.clone().with_kernel(k)).unwrap_err();
        assert_eq!(errs.len(), 1);
        assert_eq!(errs[0].rule, Rule::Unsupported, "{k}");
        assert_eq!(errs[0].insn_index, 0);
        assert!(
            errs[0].message.contains("older than 6.1") && errs[0].message.contains("--kernel 6.1"),
            "{}",
            errs[0].message
        );
    }
    // Even a program every kernel takes: the target itself is what is refused.
    let trivial = assemble("r0 = 2\nexit").unwrap();
    let old =
        VerifyInput::new(&trivial.insns, ProgramType::Xdp).with_kernel(KernelVersion::new(5, 10));
    assert_eq!(verify(&old).unwrap_err()[0].rule, Rule::Unsupported);
    for ok in [KernelVersion::OLDEST, KernelVersion::DEFAULT] {
        assert!(verify(&input.clone().with_kernel(ok)).is_ok(), "{ok}");
    }
}

/// A map the kernel refuses to create (`BPF_MAP_CREATE`: EINVAL for a flag its type does not
/// take) is refused where the program first names it, naming the flag; the flags the type
/// takes are accepted; a type without such rules here is left to the kernel.
#[test]
fn a_map_the_kernel_cannot_create_is_refused_where_named() {
    let src = "r1 = tx ll\nr2 = 0\nr3 = 0\ncall bpf_redirect_map\nexit";
    let verdict = |ty: MapType, flags: u32| {
        let a = assemble(src).unwrap();
        let ms = vec![MapSpec {
            flags,
            ..map("tx", ty, 4, 4)
        }];
        let input = VerifyInput::new(&a.insns, ProgramType::Xdp).with_maps(&a.relocations, &ms);
        verify(&input).map(|_| ())
    };
    let e = verdict(MapType::DevmapHash, 1 << 7).unwrap_err();
    assert_eq!(
        (e[0].insn_index, e[0].rule),
        (0, Rule::MapCompatibility),
        "{e:?}"
    );
    assert!(
        e[0].message
            .contains("devmap_hash map `tx` with BPF_F_RDONLY_PROG")
            && e[0]
                .message
                .contains("BPF_F_NUMA_NODE | BPF_F_RDONLY | BPF_F_WRONLY"),
        "{}",
        e[0].message
    );
    assert!(verdict(MapType::DevmapHash, (1 << 3) | (1 << 2)).is_ok());
    assert!(verdict(MapType::Devmap, 1 << 4).is_ok());
    assert!(verdict(MapType::Cpumap, 1 << 3).is_err());
    assert!(verdict(MapType::Xskmap, 0).is_ok());
}

/// The map-creation rules are the target kernel's: a queue of 2^20 4-KiB values is refused for
/// 6.12 (its `max_entries × value_size < U32_MAX` check) and accepted for 6.1 and 6.18, which
/// lack it; a `cgrp_storage` map is refused for 6.1, which does not know the type.
#[test]
fn map_creation_is_checked_for_the_target_kernel() {
    use ebpf_dsl::verifier::KernelVersion;
    let a = assemble("r1 = m ll\nr0 = 2\nexit").unwrap();
    let verdict = |spec: MapSpec, k: KernelVersion| {
        let ms = [spec];
        let input = VerifyInput::new(&a.insns, ProgramType::Xdp)
            .with_maps(&a.relocations, &ms)
            .with_kernel(k);
        verify(&input).map(|_| ()).map_err(|e| e[0].clone())
    };
    let queue = MapSpec {
        max_entries: 1 << 20,
        ..map("m", MapType::Queue, 0, 4096)
    };
    let e = verdict(queue.clone(), KernelVersion::new(6, 12)).unwrap_err();
    assert_eq!((e.insn_index, e.rule), (0, Rule::MapCompatibility), "{e}");
    assert!(
        e.message.contains("queue map `m` with max_entries 1048576"),
        "{e}"
    );
    assert!(verdict(queue.clone(), KernelVersion::new(6, 18)).is_ok());
    assert!(verdict(queue, KernelVersion::new(6, 1)).is_ok());
    let cgrp = MapSpec {
        max_entries: 0,
        flags: 1,
        ..map("m", MapType::CgrpStorage, 4, 8)
    };
    let e = verdict(cgrp.clone(), KernelVersion::new(6, 1)).unwrap_err();
    assert!(e.message.contains("new in Linux 6.2"), "{e}");
    assert!(verdict(cgrp, KernelVersion::new(6, 6)).is_ok());
}

/// A map name longer than 15 characters is no refusal: loaders pass its first 15 characters
/// (libbpf, cilium/ebpf, the CLI's `--map`), under which the kernel creates it; the map's
/// other attributes are still checked (the selftests' `map_prog1_socket`, a prog_array).
#[test]
fn a_long_map_name_is_checked_as_loaders_pass_it() {
    let a = assemble("r1 = map_prog1_socket ll\nr0 = 2\nexit").unwrap();
    let verdict = |spec: MapSpec| {
        let ms = [spec];
        let input =
            VerifyInput::new(&a.insns, ProgramType::SocketFilter).with_maps(&a.relocations, &ms);
        verify(&input).map(|_| ()).map_err(|e| e[0].clone())
    };
    let long = map("map_prog1_socket", MapType::ProgArray, 4, 4);
    assert!(verdict(long.clone()).is_ok());
    let e = verdict(MapSpec {
        value_size: 8,
        ..long
    })
    .unwrap_err();
    assert_eq!(e.rule, Rule::MapCompatibility, "{e}");
    assert!(e.message.contains("value_size 8"), "{e}");
}
