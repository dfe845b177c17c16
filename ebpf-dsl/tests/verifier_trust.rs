//! The scalpel (`ebpf_dsl::verifier::trust`): `trust_call_*:` and `trust_begin_*:` /
//! `trust_end_*:` labels take one helper call or one instruction range on trust while the rest
//! of the program is verified, with the state after them as the module docs specify.

use std::borrow::Cow;

use ebpf_dsl::asm::assemble_unchecked as assemble;
use ebpf_dsl::verifier::{
    verify, verify_trusting, Report, Rule, Trust, VerifierError, VerifyInput,
};
use ebpf_dsl::{MapSpec, MapType, ProgramType};

fn maps() -> Vec<MapSpec> {
    vec![MapSpec {
        name: Cow::Borrowed("counters"),
        map_type: MapType::Array,
        key_size: 4,
        value_size: 16,
        max_entries: 1,
        flags: 0,
        btf: None,
        inner: None,
    }]
}

/// (without trust, with the labels' trust).
fn both(
    src: &str,
    pt: ProgramType,
) -> (
    Result<Report, Vec<VerifierError>>,
    Result<Report, Vec<VerifierError>>,
) {
    let a = assemble(src).unwrap_or_else(|e| panic!("assembly failed: {e:?}\n{src}"));
    let ms = maps();
    let input = VerifyInput::new(&a.insns, pt).with_maps(&a.relocations, &ms);
    let trusted = Trust::from_labels(&a.labels)
        .map_err(|e| vec![e])
        .and_then(|t| verify_trusting(&input, &t));
    (verify(&input), trusted)
}

#[track_caller]
fn first(r: Result<Report, Vec<VerifierError>>) -> VerifierError {
    match r {
        Ok(r) => panic!("expected a rejection, got {r:?}"),
        Err(e) => e[0].clone(),
    }
}

// bpf_snprintf_btf (helper 149; it needs BTF) is not modelled: only the trust label lets the
// verifier pass it. (This used bpf_snprintf, modelled since its format is read from `.rodata`.)
const TRUSTED_CALL: &str = "
r1 = 0x3231
*(u64 *)(r10 - 8) = r1
r1 = r10
r1 += -8
r2 = 2
r3 = 0
r4 = r10
r4 += -16
trust_call_snprintf_btf:
call bpf_snprintf_btf
";

#[test]
fn a_trusted_call_needs_no_model_and_gives_an_unknown_number() {
    let ok = format!("{TRUSTED_CALL}r0 &= 1\nexit");
    let (plain, trusted) = both(&ok, ProgramType::SocketFilter);
    assert_eq!(first(plain).rule, Rule::UnknownHelper);
    trusted.unwrap();
    // r1-r5 are clobbered by the call, as by every call.
    let e = first(
        both(
            &format!("{TRUSTED_CALL}r0 = r1\nexit"),
            ProgramType::SocketFilter,
        )
        .1,
    );
    assert_eq!(e.rule, Rule::UninitRegister, "{e}");
    // r0 is a number, not a pointer.
    let e = first(
        both(
            &format!("{TRUSTED_CALL}r0 = *(u8 *)(r0 + 0)\nexit"),
            ProgramType::SocketFilter,
        )
        .1,
    );
    assert_eq!(e.rule, Rule::MemoryAccess, "{e}");
    // The stack was passed to the helper: what was spilled there is forgotten.
    let spill = format!(
        "r6 = r1\n*(u64 *)(r10 - 24) = r6\n{TRUSTED_CALL}r1 = *(u64 *)(r10 - 24)\nr0 = *(u32 *)(r1 + 0)\nexit"
    );
    let e = first(both(&spill, ProgramType::SocketFilter).1);
    assert_eq!(e.rule, Rule::MemoryAccess, "{e}");
}

#[test]
fn a_trusted_range_is_skipped_and_its_registers_become_unknown_numbers() {
    // A packet read nobody bounds-checked, on trust; the rest is verified.
    let body = "
r2 = *(u32 *)(r1 + 0)
trust_begin_peek:
r3 = *(u8 *)(r2 + 0)
r4 = r3
trust_end_peek:
";
    let ok = format!("{body}r0 = r4\nr0 &= 1\nexit");
    let (plain, trusted) = both(&ok, ProgramType::Xdp);
    assert_eq!(first(plain).rule, Rule::PacketBounds);
    trusted.unwrap();
    // r2 is untouched by the range: still a packet pointer, still unchecked after it.
    let e = first(
        both(
            &format!("{body}r0 = *(u8 *)(r2 + 0)\nexit"),
            ProgramType::Xdp,
        )
        .1,
    );
    assert_eq!(e.rule, Rule::PacketBounds, "{e}");
    // Registers the range writes are numbers afterwards.
    let w =
        "r2 = *(u32 *)(r1 + 0)\ntrust_begin_x:\nr3 = r2\ntrust_end_x:\nr0 = *(u8 *)(r3 + 0)\nexit";
    let e = first(both(w, ProgramType::Xdp).1);
    assert_eq!(e.rule, Rule::MemoryAccess, "{e}");
    // An error after the range is still found.
    let e = first(both(&format!("{body}exit"), ProgramType::Xdp).1);
    assert_eq!(e.rule, Rule::ReturnValue, "{e}");
    assert!(e.message.contains("r0 is not set"), "{e}");
}

#[test]
fn a_range_that_stores_forgets_the_stack() {
    let src = "
r6 = r1
*(u64 *)(r10 - 8) = r6
trust_begin_s:
r1 = 5
*(u64 *)(r10 - 16) = r1
trust_end_s:
r1 = *(u64 *)(r10 - 8)
r0 = *(u32 *)(r1 + 0)
exit";
    let e = first(both(src, ProgramType::Xdp).1);
    assert_eq!(e.rule, Rule::MemoryAccess, "{e}");
    // Without the store, the spilled context pointer survives.
    let keep = src.replace("*(u64 *)(r10 - 16) = r1\n", "");
    both(&keep, ProgramType::Xdp).1.unwrap();
}

#[test]
fn malformed_trust_is_a_structure_error() {
    let cases = [
        ("trust_begin_a:\nr0 = 0\nexit", "no `trust_end_a:`"),
        ("r0 = 0\ntrust_end_a:\nexit", "no `trust_begin_a:`"),
        ("trust_call_x:\nr0 = 0\nexit", "helper call"),
        (
            "r0 = 0\nif r0 == 1 goto e\ntrust_begin_a:\nr0 = 0\nexit\ntrust_end_a:\ne:\nr0 = 0\nexit",
            "must not contain `exit`",
        ),
        (
            "r0 = 0\nif r0 == 0 goto inside\ntrust_begin_a:\nr0 = 1\ninside:\nr0 = 2\ntrust_end_a:\nexit",
            "lands inside",
        ),
        (
            "r0 = 0\ntrust_begin_a:\nif r0 == 0 goto out\nr0 = 1\ntrust_end_a:\nr0 = 2\nout:\nexit",
            "leaves the trusted range",
        ),
    ];
    for (src, needle) in cases {
        let e = first(both(src, ProgramType::Xdp).1);
        assert_eq!(e.rule, Rule::Structure, "{src}: {e}");
        assert!(e.message.contains(needle), "{src}: {e}");
    }
    // Jumps within the range and to its end are fine.
    let ok =
        "r0 = 0\ntrust_begin_a:\nif r0 == 0 goto end\nr0 = 1\ntrust_end_a:\nend:\nr0 = 2\nexit";
    both(ok, ProgramType::Xdp).1.unwrap();
}

#[test]
fn builder_users_name_slots() {
    let a = assemble("r1 = 5\nr0 = *(u8 *)(r1 + 0)\nexit").unwrap();
    let input = VerifyInput::new(&a.insns, ProgramType::Xdp);
    let e = first(verify_trusting(&input, &Trust::none()));
    assert_eq!(e.rule, Rule::MemoryAccess, "{e}");
    // Slot 1 on trust: r0 is an unknown number after it.
    let t = Trust::none().range(1, 2);
    assert!(!t.is_empty() && Trust::none().is_empty());
    verify_trusting(&input, &t).unwrap();
    // A call label on something else than a call.
    let e = first(verify_trusting(&input, &Trust::none().call(0)));
    assert_eq!(e.rule, Rule::Structure, "{e}");
}
