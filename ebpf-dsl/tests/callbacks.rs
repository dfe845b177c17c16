//! Callbacks (`ld_imm64` with `src = BPF_PSEUDO_FUNC`) written as labels, through every layer
//! below the verifier: the assembler (`r2 = cb ll`), the builder ([`ld_func`]), the
//! disassembler (prints the label back; the text reassembles to the same bytes) and the
//! structural checks (a callback outside the program, into an `ld_imm64`, running off the end).

use ebpf_dsl::asm::{self, DiagKind};
use ebpf_dsl::decode::decode_indexed;
use ebpf_dsl::disasm::disassemble;
use ebpf_dsl::dsl::{call_helper, exit, label, ld_func, mov, Program};
use ebpf_dsl::{Insn, Reg, Target};

const LOOP: &str = "
    r1 = 10
    r2 = add_index ll
    r3 = r10
    r3 += -8
    r4 = 0
    call bpf_loop
    r0 = XDP_PASS
    exit
add_index:
    r0 = 0
    exit
";

#[test]
fn a_label_after_ll_is_a_callback() {
    let a = ebpf_dsl::assemble(LOOP).unwrap();
    // r2 = add_index ll at slots 1-2, add_index at slot 9: imm = 9 - (1 + 1) = 7.
    assert_eq!(a.insns[1], Insn::new(0x18, 2, 4, 0, 7));
    assert_eq!(a.insns[2], Insn::new(0, 0, 0, 0, 0));
    assert!(a.relocations.is_empty());
    let d = decode_indexed(&a.insns).unwrap();
    assert_eq!(d[1].1.func_offset(), Some(7));
    // Disassembled with a label, and back to the same bytes.
    let text = disassemble(&a.insns).unwrap();
    assert!(text.contains("\tr2 = L9 ll\n"), "{text}");
    assert!(text.contains("L9:\n\tr0 = 0x0\n"), "{text}");
    assert_eq!(ebpf_dsl::assemble(&text).unwrap().insns, a.insns);
    // One instruction alone prints in the raw pseudo form, which also reassembles.
    let alone = d[1].1.to_string();
    assert_eq!(alone, "ld_pseudo r2, 0x4, 0x7");
    let back = asm::assemble_unchecked(&alone).unwrap();
    assert_eq!(back.insns[0], a.insns[1]);
}

#[test]
fn backward_callbacks_and_maps_beside_them() {
    // The callback before the entry's use of it (a negative distance), a map load beside it.
    let src = "
        goto main
    cb:
        r0 = 1
        exit
    main:
        r1 = vals ll
        r2 = cb ll
        r3 = 0
        r4 = 0
        call bpf_for_each_map_elem
        exit
    ";
    let a = ebpf_dsl::assemble(src).unwrap();
    // r2 = cb ll at slots 5-6, cb at slot 1: imm = 1 - (5 + 1) = -5.
    assert_eq!(a.insns[5], Insn::new(0x18, 2, 4, 0, -5));
    assert_eq!(a.relocations.len(), 1);
    assert_eq!(a.relocations[0].symbol, "vals");
    let text = disassemble(&a.insns).unwrap();
    assert!(text.contains("\tr2 = L1 ll\n"), "{text}");
}

#[test]
fn builder_ld_func_is_the_text_form() {
    let mut p = Program::xdp("loop");
    p.push(mov(Reg::R1, 10))
        .push(ld_func(Reg::R2, "add_index"))
        .push(ebpf_dsl::dsl::mov_reg(Reg::R3, Reg::R10))
        .push(ebpf_dsl::dsl::alu64_imm(
            ebpf_dsl::insn::AluOp::Add,
            Reg::R3,
            -8,
        ))
        .push(mov(Reg::R4, 0))
        .push(call_helper("bpf_loop").unwrap())
        .push(mov(Reg::R0, 2))
        .push(exit())
        .push(label("add_index"))
        .push(mov(Reg::R0, 0))
        .push(exit());
    let built = p.build().unwrap();
    assert_eq!(
        built.insns.to_vec(),
        ebpf_dsl::assemble(LOOP).unwrap().insns
    );
    // A raw distance works too.
    assert!(matches!(
        ld_func(Reg::R2, Target::Offset(7)).kind,
        ebpf_dsl::ItemKind::FuncRef {
            target: Target::Offset(7),
            ..
        }
    ));
}

fn kinds(src: &str) -> Vec<(DiagKind, String)> {
    match ebpf_dsl::assemble(src) {
        Ok(_) => Vec::new(),
        Err(ebpf_dsl::Error::Assemble { diagnostics, .. }) => diagnostics
            .into_iter()
            .map(|d| (d.kind, d.message))
            .collect(),
        Err(other) => panic!("{other}"),
    }
}

#[test]
fn bad_callbacks_are_clear_errors() {
    // A 32-bit destination.
    let e = kinds("w2 = cb ll\nexit\ncb:\nr0 = 0\nexit");
    assert_eq!(e.len(), 1, "{e:?}");
    // A callback that runs off the end of the program.
    let e = kinds("r2 = cb ll\nr0 = 0\nexit\ncb:\nr0 = 0");
    assert!(e.iter().any(|(k, _)| *k == DiagKind::FallOffEnd), "{e:?}");
    // Raw distances outside the program or into the second slot of an ld_imm64.
    let e = kinds("ld_pseudo r2, 4, 100\nr0 = 0\nexit");
    assert!(
        e.iter().any(|(k, m)| *k == DiagKind::JumpOutOfProgram
            && m.starts_with("callback address to instruction 101")),
        "{e:?}"
    );
    let e = kinds("ld_pseudo r2, 4, 0\nr0 = 0\nexit");
    assert!(
        e.iter().any(|(k, m)| *k == DiagKind::JumpIntoLdImm64
            && m.starts_with("callback address to instruction 1")),
        "{e:?}"
    );
    // Not a label: a map name, as before.
    let a = asm::assemble("r2 = cb ll\nr0 = 0\nexit").unwrap();
    assert_eq!(a.relocations[0].symbol, "cb");
}

/// The static verifier follows the callback: it runs in its own frame with the helper's
/// arguments, returns 0 or 1, and its writes through the context reach the caller.
#[test]
fn the_verifier_checks_callbacks() {
    use ebpf_dsl::verifier::{verify, Rule, VerifyInput};
    use ebpf_dsl::ProgramType;
    let run = |src: &str| {
        let a = ebpf_dsl::asm::assemble_unchecked(src).unwrap();
        verify(&VerifyInput::new(&a.insns, ProgramType::Xdp)).map_err(|e| e[0].clone())
    };
    run(LOOP).unwrap();
    // A counter in the caller's stack, bumped each round, then only stored: the rounds
    // converge (the counter is widened, as the kernel's imprecise scalars are).
    let counter = "
        *(u64 *)(r10 - 8) = 0
        r1 = 100
        r2 = bump ll
        r3 = r10
        r3 += -8
        r4 = 0
        call bpf_loop
        r0 = *(u64 *)(r10 - 8)
        *(u64 *)(r10 - 16) = r0
        r0 = 2
        exit
    bump:
        r1 = *(u64 *)(r2 + 0)
        r1 += 1
        *(u64 *)(r2 + 0) = r1
        r0 = 0
        exit";
    run(counter).unwrap();
    // The counter as the return value: no value of an XDP program's return is refused, so its
    // exact value does not matter either and the rounds converge as the kernel's do
    // (`kernel_rules/cb_loop_counter_decides.s`).
    let decides = counter.replace("*(u64 *)(r10 - 16) = r0\n        r0 = 2", "r0 &= 1");
    assert!(decides.contains("r0 &= 1"));
    run(&decides).unwrap();
    // When its exact value matters (it offsets a map value), every round is explored, as many
    // as the count allows: with 100 rounds the counter reaches 100.
    let offsets = counter.replace(
        "*(u64 *)(r10 - 16) = r0\n        r0 = 2",
        "r1 = map_value(vals, 0) ll\n        r1 += r0\n        r0 = *(u8 *)(r1 + 0)\n        r0 = 2",
    );
    assert!(offsets.contains("r1 += r0"));
    let with_vals = |src: &str, value_size: u32| {
        let a = ebpf_dsl::asm::assemble_unchecked(src).unwrap();
        let maps = [ebpf_dsl::MapSpec {
            name: "vals".into(),
            map_type: ebpf_dsl::MapType::Array,
            key_size: 4,
            value_size,
            max_entries: 1,
            flags: 0,
            btf: None,
            inner: None,
        }];
        verify(&VerifyInput::new(&a.insns, ProgramType::Xdp).with_maps(&a.relocations, &maps))
            .map_err(|e| e[0].clone())
    };
    with_vals(&offsets, 101).unwrap();
    assert_eq!(
        with_vals(&offsets, 100).unwrap_err().rule,
        Rule::MapValueBounds
    );
    let e = run(&LOOP.replace("add_index:\n    r0 = 0", "add_index:\n    r0 = 2")).unwrap_err();
    assert_eq!(e.rule, Rule::ReturnValue, "{e}");
    assert!(e.message.contains("returns 0 (go on) or 1 (stop)"), "{e}");
    // Not a function address.
    let e = run(&LOOP.replace("r2 = add_index ll", "r2 = add_index ll\n    r2 = 0")).unwrap_err();
    assert_eq!(e.rule, Rule::HelperArgument, "{e}");
    assert!(e.message.contains("expects a callback"), "{e}");
    // The callback writes past the context it was given (r10 - 8 + 8: the caller's frame end).
    let e = run(&LOOP.replace(
        "add_index:\n    r0 = 0",
        "add_index:\n    *(u64 *)(r2 + 8) = 0\n    r0 = 0",
    ));
    assert!(e.is_err(), "{e:?}");
}
