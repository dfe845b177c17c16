//! Syntax llvm-mc-19 takes beyond one instruction per line (issue 12 item 6), against LLVM's
//! bytes (`tests/golden/llvm19_syntax.txt`, written by `tests/golden/gen_syntax.py`): raw data
//! directives (`.byte` ... `.8byte` and their other names), numeric local labels (`1:`, `1f`,
//! `1b`), integer suffixes (`5ULL`) and 64-bit immediates that sign-extend a 32-bit one.
//! Our bytes must equal LLVM's, the checked assembler must agree wherever the slots are valid
//! instructions, and the disassembly must reassemble to the same bytes.

use ebpf_dsl::asm::{assemble, assemble_unchecked, DiagKind};
use ebpf_dsl::disasm::disassemble_bytes;

fn hex(s: &str) -> Vec<u8> {
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&s[i..i + 2], 16).expect("hex in vector file"))
        .collect()
}

fn programs() -> Vec<(String, Vec<u8>)> {
    let v: Vec<(String, Vec<u8>)> = include_str!("golden/llvm19_syntax.txt")
        .lines()
        .filter(|l| !l.starts_with('#') && !l.is_empty())
        .map(|l| {
            let (asm, bytes) = l.split_once('\t').expect("two columns");
            (asm.replace("\\n", "\n"), hex(bytes))
        })
        .collect();
    assert_eq!(v.len(), 23, "programs in llvm19_syntax.txt");
    v
}

fn render(src: &str, errs: &[ebpf_dsl::asm::Diagnostic]) -> String {
    ebpf_dsl::asm::render_all(errs, src, "golden", 20)
}

#[test]
fn bytes_equal_llvm() {
    for (asm, want) in programs() {
        let a = assemble_unchecked(&asm).unwrap_or_else(|e| panic!("{asm}:\n{}", render(&asm, &e)));
        assert_eq!(a.to_bytes(), want, "{asm}");
    }
}

#[test]
fn checked_assembly_agrees_where_the_slots_are_instructions() {
    let mut checked = 0;
    for (asm, want) in programs() {
        match assemble(&asm) {
            Ok(a) => {
                assert_eq!(a.to_bytes(), want, "{asm}");
                checked += 1;
            }
            Err(e) => {
                // Only raw data that is no valid instruction may be refused.
                assert!(
                    asm.contains("byte -1")
                        && e.iter().all(|d| d.kind == DiagKind::InvalidInstruction),
                    "{asm}:\n{}",
                    render(&asm, &e)
                );
            }
        }
    }
    assert_eq!(checked, 22);
}

#[test]
fn disassembly_reassembles_to_the_same_bytes() {
    for (asm, want) in programs() {
        let Ok(text) = disassemble_bytes(&want) else {
            // The all-ones data program is no valid instruction stream.
            assert!(asm.contains("byte -1"), "{asm}");
            continue;
        };
        let back = assemble_unchecked(&text)
            .unwrap_or_else(|e| panic!("{asm}:\n{text}\n{}", render(&text, &e)));
        assert_eq!(back.to_bytes(), want, "{asm}: the disassembly\n{text}");
    }
}

#[test]
fn numeric_labels_name_the_next_and_the_latest_definition() {
    // `1b` on the line that defines `1:` is that line (GNU as).
    let a = assemble("r0 = 0\n1: r0 += 1\nif r0 < 3 goto 1b\nexit").unwrap();
    assert_eq!(a.insns[2].off, -2);
    let src = "goto 1f\nexit";
    let e = assemble(src).unwrap_err();
    assert_eq!(e[0].kind, DiagKind::UndefinedLabel);
    assert_eq!(
        render(src, &e),
        "golden:1:6: error: `1f`: no local label `1:` after this statement\ngoto 1f\n     ^^"
    );
    let e = assemble("1: goto 2b\nexit").unwrap_err();
    assert!(e[0].message.contains("no local label `2:` before"), "{e:?}");
    // `1 f` with a space is no label reference.
    assert!(assemble("1:\ngoto 1 f\nexit").is_err());
    // Numeric and named labels live side by side; `01:` is no numeric label.
    assert!(assemble("01: exit").is_err());
}

#[test]
fn raw_data_must_fill_whole_slots() {
    for (src, line, col) in [
        (".byte 1, 2, 3\nexit", 1, 1),
        ("r0 = 0\n.4byte 1\nlbl:\nexit", 2, 1),
        ("r0 = 0\nexit\n.8byte 0\n.2byte 5", 4, 1),
    ] {
        let e = assemble_unchecked(src).unwrap_err();
        assert_eq!(e.len(), 1, "{src}: {e:?}");
        assert!(
            e[0].message.contains("partial instruction slot"),
            "{src}: {}",
            e[0].message
        );
        assert_eq!(e[0].line_col(src), Some((line, col)), "{src}");
    }
    for src in [
        ".byte 256",
        ".byte -129",
        ".2byte 65536",
        ".4byte 0x100000000",
        ".8byte 0x10000000000000000",
    ] {
        let e = assemble_unchecked(src).unwrap_err();
        assert!(
            e.iter().any(|d| d.kind == DiagKind::ImmediateRange),
            "{src}: {e:?}"
        );
    }
}

#[test]
fn suffixes_and_sign_extended_immediates() {
    let one = |src: &str| assemble(&format!("{src}\nr0 = 0\nexit")).map(|a| a.insns);
    // `5ll` is the number 5 (LLVM), `5 ll` the ld_imm64 marker.
    assert_eq!(one("r1 = 5ll").unwrap().len(), 3);
    assert_eq!(one("r1 = 5 ll").unwrap().len(), 4);
    assert!(one("r1 = 5lu").is_err());
    assert_eq!(one("r1 = 0xffffffffffffff00").unwrap()[0].imm, -256);
    assert_eq!(one("r1 = 0xffffffff80000000").unwrap()[0].imm, i32::MIN);
    // Not a sign extension of a 32-bit value: still refused (LLVM would truncate silently).
    for bad in [
        "r1 = 0xffffffff7fffffff",
        "r1 = 0xffffffff00000000",
        "r1 = 0x100000000",
    ] {
        let e = one(bad).unwrap_err();
        assert_eq!(e[0].kind, DiagKind::ImmediateRange, "{bad}");
    }
}
