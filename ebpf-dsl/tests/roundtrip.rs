//! Round trip through the disassembler: for every program of the conformance corpus
//! (`../shared/conformance/bpf_conformance/*.s`) and for the LLVM golden vectors,
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
    let dir =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/conformance/bpf_conformance");
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

#[test]
fn golden_vectors_round_trip_as_one_program() {
    // All vectors (except `ld_pseudo`, which the assembler does not parse) as one program, so
    // that jumps land on other instructions and get labels.
    let text = include_str!("golden/llvm19.txt");
    let src: String = text
        .lines()
        .filter(|l| !l.starts_with('#') && !l.starts_with("ld_pseudo"))
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
