//! Golden vectors from LLVM 19 (`tests/golden/llvm19.txt`, written by `tests/golden/gen.py`):
//! for every instruction form, the bytes `llvm-mc-19` gives and the text `llvm-objdump-19`
//! prints. Our decoder must accept the bytes, print the same text, and encode back to the
//! same bytes.

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
    assert!(
        failures.is_empty(),
        "{} mismatches:\n{}",
        failures.len(),
        failures.join("\n")
    );
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
    assert!(
        failures.is_empty(),
        "{} mismatches:\n{}",
        failures.len(),
        failures.join("\n")
    );
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
    assert!(
        failures.is_empty(),
        "{} mismatches:\n{}",
        failures.len(),
        failures.join("\n")
    );
}
