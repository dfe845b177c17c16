//! Golden vectors from LLVM 19 (`tests/golden/llvm19.txt`, written by `tests/golden/gen.py`):
//! for every instruction form, the bytes `llvm-mc-19` gives and the text `llvm-objdump-19`
//! prints. Our decoder must accept the bytes, print the same text, and encode back to the
//! same bytes; our assembler must give the same bytes for the asm text and for objdump's text.
//! Jumps and calls to labels are in `tests/golden/llvm19_programs.txt`, whole programs with the
//! bytes LLVM gives them. Regenerate both with `python3 ebpf-dsl/tests/golden/gen.py`.

use ebpf_dsl::decode::{decode_bytes, encode};
use ebpf_dsl::disasm::disassemble_bytes;
use ebpf_dsl::insn::to_bytes;

/// One vector: the asm line, LLVM's bytes, objdump's text.
pub struct Vector {
    /// The asm text as written in gen.py.
    pub asm: String,
    /// The bytes llvm-mc-19 produced.
    pub bytes: Vec<u8>,
    /// The text llvm-objdump-19 --mattr=+alu32 printed.
    pub objdump: String,
}

fn hex(s: &str) -> Vec<u8> {
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&s[i..i + 2], 16).expect("hex in vector file"))
        .collect()
}

/// Reads the vector file.
pub fn vectors() -> Vec<Vector> {
    let text = include_str!("golden/llvm19.txt");
    let v: Vec<Vector> = text
        .lines()
        .filter(|l| !l.starts_with('#') && !l.is_empty())
        .map(|l| {
            let mut f = l.split('\t');
            let asm = f.next().expect("asm column").to_string();
            let bytes = hex(f.next().expect("bytes column"));
            let objdump = f.next().expect("objdump column").to_string();
            Vector {
                asm,
                bytes,
                objdump,
            }
        })
        .collect();
    assert!(v.len() > 1000, "vector file has only {} lines", v.len());
    v
}

#[test]
fn decoder_prints_what_objdump_prints() {
    let mut failures = Vec::new();
    for v in vectors() {
        match decode_bytes(&v.bytes) {
            Ok(d) => {
                assert_eq!(d.len(), 1, "{}", v.asm);
                let text = d[0].to_string();
                if text != v.objdump {
                    failures.push(format!("{}: ours `{text}`, objdump `{}`", v.asm, v.objdump));
                }
                assert_eq!(to_bytes(&encode(&d)), v.bytes, "re-encoding {}", v.asm);
            }
            Err(e) => failures.push(format!("{}: does not decode: {e}", v.asm)),
        }
    }
    assert_no_mismatches(&failures);
}

#[test]
fn whole_program_disassembly_of_vectors() {
    // Every vector as one program: ours must decode and print one line per instruction.
    let vs = vectors();
    let bytes: Vec<u8> = vs.iter().flat_map(|v| v.bytes.iter().copied()).collect();
    let text = disassemble_bytes(&bytes).expect("the vectors decode as one program");
    let insn_lines = text.lines().filter(|l| l.starts_with('\t')).count();
    assert_eq!(insn_lines, vs.len());
}

/// Fails with every mismatch collected (one a line) unless there is none.
fn assert_no_mismatches(failures: &[String]) {
    assert!(
        failures.is_empty(),
        "{} mismatches:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

fn assemble_bytes(src: &str) -> Result<Vec<u8>, String> {
    ebpf_dsl::asm::assemble_unchecked(src)
        .map(|a| a.to_bytes())
        .map_err(|errs| {
            errs.iter()
                .map(|e| e.to_string())
                .collect::<Vec<_>>()
                .join("; ")
        })
}

#[test]
fn assembler_bytes_equal_llvm() {
    let mut failures = Vec::new();
    for v in vectors() {
        match assemble_bytes(&v.asm) {
            Ok(b) if b == v.bytes => {}
            Ok(b) => failures.push(format!("{}: ours {b:02x?}, llvm {:02x?}", v.asm, v.bytes)),
            Err(e) => failures.push(format!("{}: rejected: {e}", v.asm)),
        }
    }
    assert_no_mismatches(&failures);
}

#[test]
fn objdump_text_reassembles_with_our_assembler() {
    let mut failures = Vec::new();
    for v in vectors() {
        match assemble_bytes(&v.objdump) {
            Ok(b) if b == v.bytes => {}
            Ok(b) => failures.push(format!(
                "{} (from {}): ours {b:02x?}, llvm {:02x?}",
                v.objdump, v.asm, v.bytes
            )),
            Err(e) => failures.push(format!("{} (from {}): rejected: {e}", v.objdump, v.asm)),
        }
    }
    assert_no_mismatches(&failures);
}

/// `tests/golden/llvm19_programs.txt` (also written by `gen.py`): programs whose jumps and
/// calls name labels, one a line, with the bytes LLVM gives the whole program.
fn programs() -> Vec<(String, Vec<u8>)> {
    let text = include_str!("golden/llvm19_programs.txt");
    let v: Vec<(String, Vec<u8>)> = text
        .lines()
        .filter(|l| !l.starts_with('#') && !l.is_empty())
        .map(|l| {
            let (asm, bytes) = l.split_once('\t').expect("two tab-separated columns");
            (asm.replace("\\n", "\n"), hex(bytes))
        })
        .collect();
    assert!(v.len() >= 9, "only {} programs", v.len());
    v
}

#[test]
fn programs_with_labels_encode_like_llvm() {
    let mut failures = Vec::new();
    for (asm, want) in programs() {
        match assemble_bytes(&asm) {
            Ok(b) if b == want => {}
            Ok(b) => {
                let slot = b
                    .chunks(8)
                    .zip(want.chunks(8))
                    .position(|(x, y)| x != y)
                    .unwrap_or(b.len().min(want.len()) / 8);
                failures.push(format!(
                    "{asm}: first difference at slot {slot}: ours {:02x?}, llvm {:02x?}",
                    b.chunks(8).nth(slot),
                    want.chunks(8).nth(slot)
                ));
            }
            Err(e) => failures.push(format!("{asm}: rejected: {e}")),
        }
    }
    assert_no_mismatches(&failures);
}

#[test]
fn programs_with_labels_disassemble_with_labels_and_round_trip() {
    for (asm, want) in programs() {
        let text = disassemble_bytes(&want).unwrap_or_else(|e| panic!("{asm}: {e}"));
        // Every jump and call inside the program names a label, none a raw offset.
        for line in text.lines() {
            let is_branch = line.contains("goto") || line.starts_with("\tcall");
            let last = line.split_whitespace().last().unwrap_or("");
            if is_branch {
                assert!(last.starts_with('L'), "{asm}: `{line}` in\n{text}");
            }
        }
        assert_eq!(
            assemble_bytes(&text).as_deref(),
            Ok(want.as_slice()),
            "{asm}: the disassembly\n{text}\ndoes not reassemble to LLVM's bytes"
        );
    }
}

#[test]
fn display_of_a_one_slot_insn_is_objdumps_text() {
    let mut n = 0;
    for v in vectors().iter().filter(|v| v.bytes.len() == 8) {
        let insns = ebpf_dsl::decode::insns_from_bytes(&v.bytes).expect("8 bytes");
        assert_eq!(insns[0].to_string(), v.objdump, "{}", v.asm);
        n += 1;
    }
    assert!(n > 1000, "{n}");
}
