//! Unit tests of the assembler: encodings of the extensions, whitespace independence, one
//! error test per diagnostic category (with its line and column), and malformed input.

use super::*;
use crate::isa::insn::Insn;
use crate::spec::RelocKind;

/// The encoding of `src` (structural checks not applied).
fn bytes(src: &str) -> Vec<u8> {
    match assemble_unchecked(src) {
        Ok(a) => a.to_bytes(),
        Err(e) => panic!(
            "{src:?} failed:\n{}",
            e.iter()
                .map(|d| d.render(src, "t.s"))
                .collect::<Vec<_>>()
                .join("\n")
        ),
    }
}

fn insns(src: &str) -> Vec<Insn> {
    assemble(src)
        .unwrap_or_else(|e| panic!("{src:?}: {e:?}"))
        .insns
}

/// The single error of `src`: its kind and 1-based line:col.
fn error(src: &str) -> (DiagKind, usize, usize, String) {
    let errs = assemble(src).expect_err(src);
    assert_eq!(errs.len(), 1, "{src:?}: expected one error, got {errs:?}");
    let d = &errs[0];
    let (l, c) = d.line_col(src).unwrap_or((0, 0));
    (d.kind, l, c, d.message.clone())
}

#[test]
fn whitespace_between_any_tokens() {
    let pairs = [
        ("w0 s>>= 3\nexit", "w0 s >>= 3 ; exit"),
        (
            "r0 = *(u32 *)(r1 + 16)\nexit",
            "r0 = * (u32 *) (r1 + 16) ; exit",
        ),
        (
            "if r1 s> r2 goto +3\nexit\nexit\nexit\nexit",
            "if r1 s > r2 goto + 3 ; exit;exit;exit;exit",
        ),
        ("r1 = -5\nr0 = 0\nexit", "r1 = - 5 ; r0 = 0 ; exit"),
        ("r1 = -r1\nexit", "r1 = - r1 ; exit"),
        ("goto L_exit\nL_exit:\nexit", "goto L_exit ; L_exit : exit"),
        (
            "lock *(u64 *)(r1 + 0) += r2\nexit",
            "lock * (u64 *) (r1 + 0) += r2 ; exit",
        ),
        ("r1 = (s8)r2\nexit", "r1 = ( s8 ) r2 ; exit"),
        ("if r1 <= r2 goto +0\nexit", "if r1 < = r2 goto + 0 ; exit"),
        ("r1 <<= 3\nexit", "r1 << = 3 ; exit"),
        (
            "w2 = atomic_fetch_add((u32 *)(r1 + 0), w2)\nexit",
            "w2 = atomic_fetch_add ( ( u32 * ) ( r1 + 0 ) , w2 ) ; exit",
        ),
        (
            "r0 = cmpxchg_64(r1 - 8, r0, r2)\nexit",
            "r0 = cmpxchg_64 ( r1 - 8 , r0 , r2 ) ; exit",
        ),
    ];
    for (a, b) in pairs {
        assert_eq!(bytes(a), bytes(b), "{a:?} vs {b:?}");
    }
}

#[test]
fn clang_mov_32_64_is_the_32_bit_move() {
    // clang -S writes its MOV_32_64 as `r1 = w0` (llvm-mc-19 refuses that text); clang -c
    // encodes it as the 32-bit `w1 = w0`: 0xbc, dst 1, src 0 (llvm-objdump-19 of the object).
    assert_eq!(bytes("r1 = w0"), [0xbc, 0x01, 0, 0, 0, 0, 0, 0]);
    assert_eq!(bytes("r1 = w0"), bytes("w1 = w0"));
    assert_eq!(bytes("r9 = w10"), [0xbc, 0xa9, 0, 0, 0, 0, 0, 0]);
    // a 32-bit destination still needs a 32-bit source, and the 64-bit move is unchanged
    assert_eq!(bytes("r1 = r0"), [0xbf, 0x01, 0, 0, 0, 0, 0, 0]);
    let (kind, _, _, msg) = error("w1 = r0\nexit");
    assert_eq!(kind, DiagKind::BadRegister, "{msg}");
}

#[test]
fn llvm_forms_encode() {
    // Expected bytes from `llvm-mc-19 -triple bpfel -mcpu=v4 -show-encoding`.
    let cases: &[(&str, [u8; 8])] = &[
        ("r1 = -r1", [0x87, 0x01, 0, 0, 0, 0, 0, 0]),
        ("w1 = -w1", [0x84, 0x01, 0, 0, 0, 0, 0, 0]),
        ("r1 = (s8)r2", [0xbf, 0x21, 0x08, 0, 0, 0, 0, 0]),
        ("w1 = (s16)w2", [0xbc, 0x21, 0x10, 0, 0, 0, 0, 0]),
        ("r1 = be16 r1", [0xdc, 0x01, 0, 0, 0x10, 0, 0, 0]),
        ("r1 = le64 r1", [0xd4, 0x01, 0, 0, 0x40, 0, 0, 0]),
        ("r1 = bswap32 r1", [0xd7, 0x01, 0, 0, 0x20, 0, 0, 0]),
        ("r0 = *(u8 *)skb[23]", [0x30, 0, 0, 0, 0x17, 0, 0, 0]),
        ("r0 = *(u16 *)skb[r1]", [0x48, 0x10, 0, 0, 0, 0, 0, 0]),
        ("may_goto +3", [0xe5, 0, 0x03, 0, 0, 0, 0, 0]),
        ("gotol +5", [0x06, 0, 0, 0, 0x05, 0, 0, 0]),
        (
            "r1 = addr_space_cast(r2, 3, 5)",
            [0xbf, 0x21, 0x01, 0, 0x05, 0, 0x03, 0],
        ),
        ("w1 s/= 3", [0x34, 0x01, 0x01, 0, 0x03, 0, 0, 0]),
        ("r1 s%= r2", [0x9f, 0x21, 0x01, 0, 0, 0, 0, 0]),
        (
            "*(u64 *)(r1 - 16) = 0xffffffff",
            [0x7a, 0x01, 0xf0, 0xff, 0xff, 0xff, 0xff, 0xff],
        ),
        ("*(u8 *)(r1 + 0) = w2", [0x73, 0x21, 0, 0, 0, 0, 0, 0]),
        (
            "lock *(u32 *)(r1 + 0) += w2",
            [0xc3, 0x21, 0, 0, 0, 0, 0, 0],
        ),
        (
            "lock *(u64 *)(r1 + 0) |= r2",
            [0xdb, 0x21, 0, 0, 0x40, 0, 0, 0],
        ),
        (
            "w2 = atomic_fetch_or((u32 *)(r1 + 0), w2)",
            [0xc3, 0x21, 0, 0, 0x41, 0, 0, 0],
        ),
        (
            "r2 = xchg_64(r1 + 0, r2)",
            [0xdb, 0x21, 0, 0, 0xe1, 0, 0, 0],
        ),
        (
            "w0 = cmpxchg32_32(r1 + 0, w0, w2)",
            [0xc3, 0x21, 0, 0, 0xf1, 0, 0, 0],
        ),
        (
            "if w1 s< -5 goto +0",
            [0xc6, 0x01, 0, 0, 0xfb, 0xff, 0xff, 0xff],
        ),
        ("if r1 & r2 goto -1", [0x4d, 0x21, 0xff, 0xff, 0, 0, 0, 0]),
        ("r1 = *(s32 *)(r1 + 0)", [0x81, 0x11, 0, 0, 0, 0, 0, 0]),
        (
            "r1 = *(u8 *)(r1 - 32768)",
            [0x71, 0x11, 0x00, 0x80, 0, 0, 0, 0],
        ),
        ("r1 = 'a'", [0xb7, 0x01, 0, 0, 0x61, 0, 0, 0]),
        ("r1 = 1 << 3", [0xb7, 0x01, 0, 0, 0x08, 0, 0, 0]),
        ("r1 = 010", [0xb7, 0x01, 0, 0, 0x08, 0, 0, 0]),
        ("call -1", [0x85, 0, 0, 0, 0xff, 0xff, 0xff, 0xff]),
        ("call bpf_map_lookup_elem", [0x85, 0, 0, 0, 0x01, 0, 0, 0]),
        ("callx r1", [0x8d, 0x01, 0, 0, 0, 0, 0, 0]),
    ];
    for (src, want) in cases {
        let a = assemble_unchecked(src).unwrap_or_else(|e| panic!("{src}: {e:?}"));
        assert_eq!(a.to_bytes()[..8], want[..], "{src}");
    }
    let a = assemble_unchecked("ld_pseudo r1, 2, 5").unwrap();
    assert_eq!(
        a.to_bytes(),
        [0x18, 0x21, 0, 0, 5, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]
    );
    let a = assemble_unchecked("ld_pseudo r1, 0x2, 0x5, 0x8").unwrap();
    assert_eq!(
        a.to_bytes(),
        [0x18, 0x21, 0, 0, 5, 0, 0, 0, 0, 0, 0, 0, 8, 0, 0, 0]
    );
    let a = assemble_unchecked("call pc+0x5\ncall pc-1\ncall kfunc 0x5, 0x1").unwrap();
    assert_eq!(
        a.to_bytes(),
        [
            0x85, 0x10, 0, 0, 5, 0, 0, 0, 0x85, 0x10, 0, 0, 0xff, 0xff, 0xff, 0xff, 0x85, 0x20, 1,
            0, 5, 0, 0, 0
        ]
    );
    let a = assemble_unchecked("r0 = *(u32 *)skb[r1 + 0x4]").unwrap();
    assert_eq!(a.to_bytes(), [0x40, 0x10, 0, 0, 4, 0, 0, 0]);
    let a = assemble_unchecked("r0 = -1 ll").unwrap();
    assert_eq!(
        a.to_bytes(),
        [0x18, 0, 0, 0, 0xff, 0xff, 0xff, 0xff, 0, 0, 0, 0, 0xff, 0xff, 0xff, 0xff]
    );
}

#[test]
fn labels_helpers_constants() {
    let i = insns("r0 = XDP_PASS\n if r1 == 0 goto out\n call redirect_map\n goto out\n out: exit");
    assert_eq!(i[0].imm, 2);
    assert_eq!(i[1].off, 2);
    assert_eq!(i[2].imm, 51); // bpf_redirect_map
    assert_eq!(i[3].off, 0);
    // bpf-to-bpf call to a label, even when the label has a helper's name.
    let i = insns("call f\nexit\nf: r0 = 0\nexit");
    assert_eq!((i[0].src(), i[0].imm), (1, 1));
    let i = insns("call bpf_trace_printk\nexit\nbpf_trace_printk: exit");
    assert_eq!((i[0].src(), i[0].imm), (1, 1));
    // Long jumps with gotol to a label.
    let i = insns("if r1 > 0 goto +1\ngotol end\nr0 = 1\nend: exit")[1..].to_vec();
    assert_eq!((i[0].code, i[0].imm, i[0].off), (0x06, 1, 0));
}

#[test]
fn kernel_log_spellings() {
    // The verifier log and bpftool print raw distances as `pc+N` and helpers as `name#id`.
    assert_eq!(
        insns("if r0 > r3 goto pc+1\ngoto pc-2\nexit"),
        insns("if r0 > r3 goto +1\ngoto -2\nexit")
    );
    assert_eq!(
        insns("call bpf_redirect_map#51\nexit"),
        insns("call 51\nexit")
    );
    // A label called `pc` still wins.
    let i = insns("pc: r0 = 0\nif r0 > 1 goto pc\nexit");
    assert_eq!(i[1].off, -2);
}

#[test]
fn harmless_directives_are_skipped() {
    let src = "\t.text\n\t.file \"x.c\"\n\t.globl prog\n\t.p2align 3\n\t.type prog,@function\nprog:\n\tr0 = 2\n\texit\n.Lfunc_end0:\n\t.size prog, .Lfunc_end0-prog\n";
    assert_eq!(insns(src).len(), 2);
    let (kind, line, col, _) = error("r0 = 0\n.section .maps\nexit");
    assert_eq!((kind, line, col), (DiagKind::UnknownInstruction, 2, 1));
}

#[test]
fn map_references() {
    let a = assemble("r1 = xsks ll\nr2 = map_value(counters, 8) ll\nr0 = 0\nexit").unwrap();
    assert_eq!(a.insns.len(), 6);
    assert_eq!((a.insns[0].code, a.insns[0].src()), (0x18, 1));
    assert_eq!((a.insns[2].src(), a.insns[3].imm), (2, 8));
    assert_eq!(a.relocations.len(), 2);
    assert_eq!(a.relocations[0].insn_index, 0);
    assert_eq!(a.relocations[0].symbol, "xsks");
    assert_eq!(a.relocations[1].kind, RelocKind::MapValue { offset: 8 });
    let spec = a.into_program_spec("p", crate::spec::ProgramType::Xdp, "GPL", vec![]);
    assert_eq!(spec.relocations.len(), 2);
    assert_eq!(spec.insns.len(), 6);
}

#[test]
fn externs_are_reported_by_resolve_and_rejected_by_assemble() {
    let src = "r0 = {ACTION}\nr1 = *(u32 *)(r1 + {OFF})\nr2 = {BIG} ll\nexit";
    let a = assemble_unchecked(src).unwrap();
    let fields: Vec<_> = a
        .externs
        .iter()
        .map(|e| (e.insn_index, e.field, e.name.as_str()))
        .collect();
    assert_eq!(
        fields,
        [
            (0, ExternField::Imm32, "ACTION"),
            (1, ExternField::Off16, "OFF"),
            (2, ExternField::Imm64, "BIG")
        ]
    );
    assert!(check(&a).is_empty());
    // A compare with an interpolated value still jumps to a label.
    let b = assemble_unchecked("if r1 > {MAX} goto out\nr0 = 1\nout: exit").unwrap();
    assert_eq!((b.insns[0].code, b.insns[0].off), (0x25, 1));
    assert_eq!(b.externs[0].field, ExternField::Imm32);
    assert_eq!(b.externs[0].name, "MAX");
    let errs = assemble(src).unwrap_err();
    assert_eq!(errs.len(), 3);
    assert_eq!(errs[0].kind, DiagKind::UnresolvedExtern);
    assert_eq!(errs[0].line_col(src), Some((1, 6)));
    assert_eq!(
        errs[0].message,
        "unresolved value {ACTION}: only defprogram! can interpolate Rust constants"
    );
}

#[test]
fn snippets_expand_with_the_statement_span() {
    let src = "r0 = 0\nreturn_action!(XDP_PASS)";
    let a = assemble(src).unwrap();
    assert!(a.insns.len() >= 2);
    let span = a.slot_spans[1].unwrap();
    assert_eq!(&src[span.start..span.end], "return_action!(XDP_PASS)");
    let (kind, line, col, _) = error("r0 = 0\nno_such_snippet!(r1)\nexit");
    assert_eq!((kind, line, col), (DiagKind::Snippet, 2, 1));
}

#[test]
fn one_error_per_category_with_position() {
    let cases: &[(&str, DiagKind, usize, usize)] = &[
        ("r0 = 0\nfoo r1\nexit", DiagKind::UnknownInstruction, 2, 1),
        ("r0 = 0\nr0 = r11\nexit", DiagKind::BadRegister, 2, 6),
        ("w12 = 1\nexit", DiagKind::BadRegister, 1, 1),
        ("w1 = r2\nexit", DiagKind::BadRegister, 1, 6),
        ("r0 = 0\nr10 = 1\nexit", DiagKind::WriteToR10, 2, 1),
        ("r10 = *(u64 *)(r1 + 0)\nexit", DiagKind::WriteToR10, 1, 1),
        ("r10 = 5 ll\nexit", DiagKind::WriteToR10, 1, 1),
        ("r0 = 0x100000000\nexit", DiagKind::ImmediateRange, 1, 6),
        ("r0 += -2147483649\nexit", DiagKind::ImmediateRange, 1, 7),
        (
            "r0 = *(u8 *)(r1 + 32768)\nexit",
            DiagKind::OffsetRange,
            1,
            17,
        ),
        ("r0 = 0\ngoto nowhere\nexit", DiagKind::UndefinedLabel, 2, 6),
        ("a:\nr0 = 0\na: exit", DiagKind::DuplicateLabel, 3, 1),
        ("goto +32768\nexit", DiagKind::JumpRange, 1, 6),
        ("r0 = 0\ngoto +5\nexit", DiagKind::JumpOutOfProgram, 2, 6),
        ("goto +1\nr1 = 5 ll\nexit", DiagKind::JumpIntoLdImm64, 1, 6),
        ("r0 = 1\nr0 <<= 64\nexit", DiagKind::ShiftRange, 2, 8),
        ("r0 = 1\nw0 s>>= -1\nexit", DiagKind::ShiftRange, 2, 9),
        ("r0 = 1\nr0 /= 0\nexit", DiagKind::DivisionByZero, 2, 7),
        ("r0 = 1\nw0 s%= 0\nexit", DiagKind::DivisionByZero, 2, 8),
        (
            "r0 = 1\nif r0 > 0 goto +1\nexit\nr0 = 2",
            DiagKind::FallOffEnd,
            4,
            1,
        ),
        ("# nothing\n", DiagKind::EmptyProgram, 0, 0),
        ("r0 = 1\ncallx r0\nexit", DiagKind::Unsupported, 2, 1),
        ("r0 = nosuch\nexit", DiagKind::UnknownName, 1, 6),
        ("call nosuch\nexit", DiagKind::UnknownName, 1, 6),
        ("r0 = (1 + \nexit", DiagKind::Syntax, 1, 10),
        ("r0 = 1 /* never closed\nexit", DiagKind::Syntax, 1, 8),
        ("r0 = 1 2\nexit", DiagKind::Syntax, 1, 8),
        ("w1 <<= 32\nexit", DiagKind::ShiftRange, 1, 8),
        ("r0 = 1\nr0 %= 0\nexit", DiagKind::DivisionByZero, 2, 7),
        (
            "r10 = xchg_64(r1 + 0, r10)\nexit",
            DiagKind::WriteToR10,
            1,
            1,
        ),
        ("r10 = be16 r10\nexit", DiagKind::WriteToR10, 1, 1),
        (
            "r0 = 0\nif r0 > 0x100000000 goto +0\nexit",
            DiagKind::ImmediateRange,
            2,
            9,
        ),
        (
            "*(u64 *)(r10 - 40000) = 1\nexit",
            DiagKind::OffsetRange,
            1,
            14,
        ),
        ("r0 = 0\ngotol +0x80000000\nexit", DiagKind::JumpRange, 2, 7),
        ("*(s8 *)(r1 + 0) = 1\nexit", DiagKind::Syntax, 1, 3),
        ("r0 = 0\u{0}\nexit", DiagKind::Syntax, 1, 7),
    ];
    for &(src, kind, line, col) in cases {
        let (k, l, c, msg) = error(src);
        // Messages read as English: no "unexpected a number".
        assert!(!msg.contains("unexpected a "), "{src:?}: {msg}");
        assert_eq!((k, l, c), (kind, line, col), "{src:?}: {msg}");
        assert!(!msg.is_empty());
    }
}

#[test]
fn check_rejects_invalid_builder_slots() {
    let items = [
        crate::ir::Item::from(Insn::new(0xff, 0, 0, 0, 0)),
        crate::ir::Item::from(Insn::new(0xb7, 0, 3, 0, 1)), // mov imm with a src register
        crate::ir::Item::from(Insn::new(0x95, 0, 0, 0, 0)),
    ];
    let a = resolve(&items).unwrap();
    let d = check(&a);
    assert_eq!(d.len(), 2, "{d:?}");
    assert!(d
        .iter()
        .all(|d| d.kind == DiagKind::InvalidInstruction && d.span.is_none()));
    assert_eq!((d[0].insn_index, d[1].insn_index), (Some(0), Some(1)));
}

#[test]
fn all_errors_at_once_and_rendering() {
    // Errors of every stage at once; control-flow findings are dropped after earlier errors.
    let src = "r0 = r11\nr1 <<= 99\ngoto missing\nr10 = 1";
    let kinds: Vec<_> = assemble(src).unwrap_err().iter().map(|d| d.kind).collect();
    assert_eq!(
        kinds,
        [
            DiagKind::BadRegister,
            DiagKind::ShiftRange,
            DiagKind::UndefinedLabel,
            DiagKind::WriteToR10
        ]
    );
    let src = "r1 <<= 99\nr2 /= 0\nr10 = 1\nr0 = 0";
    let errs = assemble(src).unwrap_err();
    let kinds: Vec<_> = errs.iter().map(|d| d.kind).collect();
    assert_eq!(
        kinds,
        [
            DiagKind::ShiftRange,
            DiagKind::DivisionByZero,
            DiagKind::WriteToR10,
            DiagKind::FallOffEnd
        ]
    );
    let r = errs[0].render(src, "prog.s");
    assert_eq!(
        r,
        format!(
            "prog.s:1:8: error: {}\nr1 <<= 99\n       ^^",
            errs[0].message
        )
    );
    let src = "r0 = 1\nfoo\nbar\nexit";
    assert_eq!(assemble(src).unwrap_err().len(), 2);
}

#[test]
fn immediates_like_llvm() {
    // -2^31 ..= 2^32-1, values above i32::MAX as their bit pattern.
    assert_eq!(insns("r1 = 0xffffffff\nexit")[0].imm, -1);
    assert_eq!(insns("r1 = -2147483648\nexit")[0].imm, i32::MIN);
    assert_eq!(insns("w1 = 4294967295\nexit")[0].imm, -1);
    assert!(assemble("r1 = 4294967296\nexit").is_err());
    let i = insns("r1 = 0x1122334455667788 ll\nexit");
    assert_eq!((i[0].imm as u32, i[1].imm as u32), (0x55667788, 0x11223344));
    assert!(assemble("r1 = 0x10000000000000000 ll\nexit").is_err());
}

/// A small deterministic PRNG (xorshift64*), so the test needs no crate.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

#[test]
fn malformed_input_never_panics() {
    let seeds = [
        "r0 = *(u32 *)(r1 + 16)\nif r0 > r3 goto drop\ncall bpf_redirect_map\ndrop: exit",
        "lock *(u64 *)(r10 - 8) += r2; w2 = atomic_fetch_xor((u32 *)(r1 + 0), w2)",
        "r0 = cmpxchg_64(r1 + 0, r0, r2)\nr1 = xsks ll\nr2 = map_value(m, 4) ll",
        "r0 = *(u8 *)skb[r1 + 4]; r1 = (s16)r2; r1 = bswap64 r1 /* c */ # x\n// y",
        "r1 = {X} ll; *(u32 *)(r1 + {O}) = 5; return_action!(XDP_PASS); 'a' 0x7f 0b1 0o7",
        "gotol +70000\nmay_goto -1\nr1 = addr_space_cast(r2, 1, 0)\ncallx r1",
    ];
    let alphabet: Vec<char> = " \n;:+-*/%=<>!&|^~()[],{}#'\\rwsu0123456789abcdefxl_.é"
        .chars()
        .collect();
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    let mut count = 0;
    for seed in seeds {
        let chars: Vec<char> = seed.chars().collect();
        // Every truncation.
        for cut in 0..=chars.len() {
            let s: String = chars[..cut].iter().collect();
            let _ = assemble(&s);
            count += 1;
        }
        // Random mutations: replace, insert, delete, duplicate a range.
        for _ in 0..1500 {
            let mut c = chars.clone();
            for _ in 0..1 + rng.below(4) {
                let pos = rng.below(c.len() + 1);
                match rng.below(4) {
                    0 if pos < c.len() => c[pos] = alphabet[rng.below(alphabet.len())],
                    1 => c.insert(pos, alphabet[rng.below(alphabet.len())]),
                    2 if pos < c.len() => {
                        c.remove(pos);
                    }
                    _ => {
                        let end = (pos + rng.below(8)).min(c.len());
                        let dup: Vec<char> = c[pos..end].to_vec();
                        c.splice(pos..pos, dup);
                    }
                }
            }
            let s: String = c.into_iter().collect();
            if let Err(errs) = assemble(&s) {
                for d in errs {
                    let _ = d.render(&s, "fuzz.s");
                }
            }
            count += 1;
        }
    }
    // Pure noise.
    for _ in 0..3000 {
        let len = rng.below(40);
        let s: String = (0..len)
            .map(|_| alphabet[rng.below(alphabet.len())])
            .collect();
        if let Err(errs) = assemble(&s) {
            for d in errs {
                let _ = d.render(&s, "fuzz.s");
            }
        }
        count += 1;
    }
    // Deep nesting is an error, not a stack overflow.
    for deep in [
        "(".repeat(100_000),
        "-".repeat(100_000),
        "~".repeat(100_000),
    ] {
        assert!(assemble(&format!("r0 = {deep}1\nexit")).is_err());
    }
    // Every input above was tried: each truncation, 1,500 mutations per seed, 3,000 noises.
    let truncations: usize = seeds.iter().map(|s| s.chars().count() + 1).sum();
    assert_eq!(count, truncations + seeds.len() * 1500 + 3000);
}

#[test]
fn load_acquire_and_store_release_encode_decode_and_print() {
    // The kernel's encoding (BPF_STX | BPF_ATOMIC | size, imm BPF_LOAD_ACQ 0x100 /
    // BPF_STORE_REL 0x110, Linux 6.15); llvm-mc-19 predates the syntax.
    let cases: [(&str, [u8; 8]); 5] = [
        (
            "w0 = load_acquire((u8 *)(r1 + 0x0))",
            [0xd3, 0x10, 0, 0, 0, 0x01, 0, 0],
        ),
        (
            "w3 = load_acquire((u16 *)(r10 - 0x8))",
            [0xcb, 0xa3, 0xf8, 0xff, 0, 0x01, 0, 0],
        ),
        (
            "r0 = load_acquire((u64 *)(r1 + 0x10))",
            [0xdb, 0x10, 0x10, 0, 0, 0x01, 0, 0],
        ),
        (
            "store_release((u32 *)(r1 + 0x4), w2)",
            [0xc3, 0x21, 4, 0, 0x10, 0x01, 0, 0],
        ),
        (
            "store_release((u64 *)(r1 + 0x8), r2)",
            [0xdb, 0x21, 8, 0, 0x10, 0x01, 0, 0],
        ),
    ];
    for (src, want) in cases {
        let a = assemble_unchecked(src).unwrap_or_else(|e| panic!("{src}: {e:?}"));
        assert_eq!(a.to_bytes()[..8], want[..], "{src}");
        // The disassembler prints the same text back.
        let text = crate::disasm::disassemble(&a.insns).unwrap_or_else(|e| panic!("{src}: {e}"));
        assert_eq!(text.trim(), src, "{src}");
    }
    // A 64-bit access needs a 64-bit register; sizes are unsigned.
    assert!(assemble_unchecked("w0 = load_acquire((u64 *)(r1 + 0))").is_err());
    assert!(assemble_unchecked("store_release((u64 *)(r1 + 0), w2)").is_err());
    assert!(assemble_unchecked("w0 = load_acquire((s8 *)(r1 + 0))").is_err());
}
