//! Round trip through the disassembler: for every program of the conformance corpus
//! (`tests/data/bpf_conformance/*.s`) and for the LLVM golden vectors,
//! `assemble(disassemble(assemble(text)))` gives the bytes of `assemble(text)`.

use std::path::Path;

use ebpf_dsl::asm::assemble_unchecked;
use ebpf_dsl::disasm::disassemble;
use ebpf_dsl::insn::Insn;

fn assemble(src: &str, what: &str) -> Vec<Insn> {
    match assemble_unchecked(src) {
        Ok(a) => a.insns,
        Err(errs) => {
            let msgs: Vec<String> = errs.iter().map(|e| e.to_string()).collect();
            panic!(
                "{what} does not assemble:\n{}\n--- text ---\n{src}",
                msgs.join("\n")
            )
        }
    }
}

fn round_trip(src: &str, what: &str) {
    let insns = assemble(src, what);
    let text = disassemble(&insns).unwrap_or_else(|e| panic!("{what}: disassemble: {e}"));
    let again = assemble(&text, &format!("disassembly of {what}"));
    assert_eq!(
        again, insns,
        "{what}: reassembled disassembly differs:\n{text}"
    );
}

#[test]
fn conformance_corpus_round_trips() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/bpf_conformance");
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("conformance corpus not found at {}: {e}", dir.display()))
        .map(|e| e.expect("directory entry").path())
        .filter(|p| p.extension().is_some_and(|x| x == "s"))
        .collect();
    files.sort();
    assert!(
        files.len() >= 313,
        "only {} files in {}",
        files.len(),
        dir.display()
    );
    for f in &files {
        let src = std::fs::read_to_string(f).expect("readable corpus file");
        round_trip(&src, &f.display().to_string());
    }
}

/// Every valid instruction over all opcodes and representative fields: its `Display` text
/// assembles to exactly its bytes.
#[test]
fn display_of_every_instruction_reassembles() {
    use ebpf_dsl::decode::decode_at;
    let regs = [0u8, 1, 2, 10];
    let offs = [0i16, 1, 8, 16, 32, -1, i16::MIN, i16::MAX];
    let imms = [
        0i32,
        1,
        -1,
        16,
        32,
        64,
        0x40,
        0x41,
        0x50,
        0x51,
        0xa0,
        0xa1,
        0xe1,
        0xf1,
        0x10000,
        i32::MIN,
        i32::MAX,
    ];
    let seconds = [0i32, 8, -1];
    let mut failures = Vec::new();
    let mut checked = 0usize;
    for code in 0..=255u8 {
        for &dst in &regs {
            for &src in &regs {
                for &off in &offs {
                    for &imm in &imms {
                        for &next in &seconds {
                            let prog = [
                                Insn::new(code, dst, src, off, imm),
                                Insn::new(0, 0, 0, 0, next),
                            ];
                            let Ok(d) = decode_at(&prog, 0) else { continue };
                            let want = &prog[..d.slots()];
                            let text = d.to_string();
                            checked += 1;
                            match assemble_unchecked(&text) {
                                Ok(a) if a.insns == want => {}
                                Ok(a) => {
                                    failures.push(format!("`{text}`: {:?}, want {want:?}", a.insns))
                                }
                                Err(errs) => {
                                    let e: Vec<String> =
                                        errs.iter().map(|e| e.to_string()).collect();
                                    failures.push(format!("`{text}`: {}", e.join("; ")));
                                }
                            }
                            if code != 0x18 {
                                break;
                            }
                        }
                    }
                }
            }
        }
    }
    assert!(checked > 10_000, "only {checked} instructions checked");
    failures.truncate(50);
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn golden_vectors_round_trip_as_one_program() {
    // All vectors as one program, so that jumps land on other instructions and get labels.
    let text = include_str!("golden/llvm19.txt");
    let src: String = text
        .lines()
        .filter(|l| !l.starts_with('#'))
        .filter_map(|l| l.split('\t').next())
        .map(|a| format!("{a}\n"))
        .collect();
    round_trip(&src, "golden vectors");
}

#[test]
fn every_slot_a_jump_target() {
    // Backward and forward jumps of every kind, a bpf-to-bpf call, and ld_imm64 in between.
    let src =
        "start:\n r1 = 0x1122334455667788 ll\n if r1 > r2 goto out\n if w1 s< -3 goto start\n\
               gotol start\n may_goto out\n call sub\n goto +0\nout:\n r0 = 0\n exit\n\
               sub:\n r0 = 1\n exit\n";
    round_trip(src, "jump program");
}

/// Random small programs of jumps (in range, out of range, into `ld_imm64`), calls, `ld_imm64`
/// and plain instructions: the labelled disassembly reassembles to the same slots.
#[test]
fn random_programs_round_trip() {
    let mut x: u64 = 0x853c_49e6_748f_ea9b;
    let mut next = move || {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        x
    };
    // goto, gotol, jeq imm, jgt32 reg, helper call, bpf-to-bpf call, ld_imm64, mov, exit,
    // may_goto, ldx.
    let codes = [
        0x05u8, 0x06, 0x15, 0x2e, 0x85, 0x85, 0x18, 0xb7, 0x95, 0xe5, 0x61,
    ];
    for _ in 0..3_000 {
        let n = 1 + (next() % 12) as usize;
        let mut insns = Vec::new();
        while insns.len() < n {
            let r = next();
            let which = (r % codes.len() as u64) as usize;
            let code = codes[which];
            let off = ((r >> 8) % 11) as i16 - 5;
            let imm = ((r >> 16) % 11) as i32 - 5;
            match code {
                0x18 => {
                    insns.push(Insn::new(0x18, 1, 0, 0, imm));
                    insns.push(Insn::new(0, 0, 0, 0, imm));
                }
                0x05 | 0xe5 => insns.push(Insn::new(code, 0, 0, off, 0)),
                0x06 => insns.push(Insn::new(code, 0, 0, 0, imm)),
                0x15 => insns.push(Insn::new(code, 1, 0, off, imm)),
                0x2e => insns.push(Insn::new(code, 1, 2, off, 0)),
                0x85 if which == 4 => insns.push(Insn::new(code, 0, 0, 0, imm.abs() + 1)),
                0x85 => insns.push(Insn::new(code, 0, 1, 0, imm)),
                0x61 => insns.push(Insn::new(code, 2, 1, off, 0)),
                _ => insns.push(Insn::new(code, 0, 0, 0, 0)),
            }
        }
        let text = disassemble(&insns).expect("valid slots decode");
        let again = assemble(&text, "random program");
        assert_eq!(again, insns, "{text}");
    }
}
