//! The conformance corpus (`tests/data/bpf_conformance/*.s`) through the static
//! verifier, wrapped the way the corpus README runs it on Linux: as an XDP program whose
//! prologue bounds-checks the input memory (`r1 = data`, `r2 = len`) and calls the test body
//! as a bpf-to-bpf function. Kernel 6.18 accepts 300 of the 313 and rejects 13 (12 shifts by an
//! out-of-range constant and `callx`); the verifier must give exactly the same verdicts.

use std::path::Path;

use ebpf_dsl::asm::assemble_unchecked;
use ebpf_dsl::verifier::{verify, Rule, VerifyInput};
use ebpf_dsl::ProgramType;

fn wrap(body: &str) -> String {
    let mem_len = body
        .lines()
        .find_map(|l| l.strip_prefix("# mem:"))
        .map(|m| m.split_whitespace().count())
        .unwrap_or(0);
    let mut s = String::new();
    if mem_len > 0 {
        s.push_str(&format!(
            "r6 = *(u32 *)(r1 + 0)\nr7 = *(u32 *)(r1 + 4)\nr8 = r6\nr8 += {mem_len}\nif r8 > r7 goto __conf_out\nr1 = r6\nr2 = {mem_len}\n"
        ));
    }
    s.push_str("call __conf_body\n__conf_out:\nr0 = 0\nexit\n__conf_body:\n");
    s.push_str(body);
    s.push('\n');
    s
}

#[test]
fn conformance_verdicts_match_the_kernel() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/bpf_conformance");
    let Ok(entries) = std::fs::read_dir(&dir) else {
        panic!("conformance corpus not found at {}", dir.display());
    };
    let mut files: Vec<_> = entries
        .filter_map(|e| e.ok())
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "s"))
        .collect();
    files.sort();
    assert!(
        files.len() >= 313,
        "expected 313 programs, found {}",
        files.len()
    );
    let mut accepted = 0;
    let mut rejected = Vec::new();
    let mut wrong = Vec::new();
    for f in &files {
        let name = f.file_name().unwrap().to_string_lossy().to_string();
        let body = std::fs::read_to_string(f).unwrap();
        let kernel_rejects =
            name == "callx.s" || name.contains("-imm-high") || name.contains("-imm-neg");
        let src = wrap(&body);
        let verdict = match assemble_unchecked(&src) {
            Ok(a) => verify(&VerifyInput::new(&a.insns, ProgramType::Xdp))
                .map(|_| ())
                .map_err(|e| e[0].clone()),
            Err(d) => {
                // Only `callx` may fail to assemble (the kernel does not know the opcode either).
                assert!(name == "callx.s", "{name} does not assemble: {d:?}");
                rejected.push(name);
                continue;
            }
        };
        match (verdict, kernel_rejects) {
            (Ok(()), false) => accepted += 1,
            (Err(e), true) => {
                let expected = if name == "callx.s" {
                    Rule::Structure
                } else {
                    Rule::InvalidShift
                };
                if e.rule != expected {
                    wrong.push(format!("{name}: rejected for the wrong reason: {e}"));
                }
                rejected.push(name);
            }
            (Ok(()), true) => wrong.push(format!("{name}: accepted, but the kernel rejects it")),
            (Err(e), false) => {
                wrong.push(format!("{name}: rejected, but the kernel accepts it: {e}"))
            }
        }
    }
    println!(
        "conformance: {accepted} accepted, {} rejected ({})",
        rejected.len(),
        rejected.join(" ")
    );
    assert!(
        wrong.is_empty(),
        "{} disagreements with the kernel:\n{}",
        wrong.len(),
        wrong.join("\n")
    );
    assert_eq!(rejected.len(), 13);
}
