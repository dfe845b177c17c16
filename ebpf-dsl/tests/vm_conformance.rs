//! The conformance corpus (`tests/data/bpf_conformance/*.s`, 313 programs) in the VM: every
//! program, given its `# mem:` bytes (`r1` = their address, `r2` = their length), must return
//! its `# result:` in `r0`, in the fast path and in trace mode (the general path) — including the 13 the kernel's verifier refuses (shifts by
//! out-of-range constants, `callx`): the ISA defines them.

use std::path::Path;

use ebpf_dsl::asm::assemble_unchecked;
use ebpf_dsl::vm::Vm;
use ebpf_dsl::{ProgramSpec, ProgramType};

fn header<'a>(src: &'a str, key: &str) -> Option<&'a str> {
    src.lines()
        .find_map(|l| l.strip_prefix("# ")?.strip_prefix(key)?.strip_prefix(':'))
        .map(str::trim)
}

fn parse_hex_bytes(s: &str) -> Vec<u8> {
    s.split_whitespace()
        .map(|b| u8::from_str_radix(b, 16).expect("a hex byte"))
        .collect()
}

fn parse_result(s: &str) -> u64 {
    match s.strip_prefix("0x") {
        Some(h) => u64::from_str_radix(h, 16).expect("a hex result"),
        None => s.parse().expect("a decimal result"),
    }
}

#[test]
fn corpus_gives_expected_results_in_the_vm() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/bpf_conformance");
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .expect("read the corpus directory")
        .map(|e| e.expect("directory entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "s"))
        .collect();
    files.sort();
    assert_eq!(files.len(), 313, "the corpus should hold 313 programs");
    let mut failures = Vec::new();
    for path in &files {
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        let src = std::fs::read_to_string(path).unwrap();
        let mem = parse_hex_bytes(header(&src, "mem").expect("a mem line"));
        let want = parse_result(header(&src, "result").expect("a result line"));
        let insns = match assemble_unchecked(&src) {
            Ok(a) => a.insns,
            Err(e) => {
                failures.push(format!("{name}: does not assemble: {e:?}"));
                continue;
            }
        };
        let spec = ProgramSpec {
            name: name.clone().into(),
            prog_type: ProgramType::Xdp,
            license: "GPL".into(),
            insns: insns.into(),
            relocations: Vec::new().into(),
            maps: Vec::new().into(),
            lines: Default::default(),
        };
        // Twice: the fast path, and trace mode, which runs every instruction through the
        // general path.
        for trace in [false, true] {
            let mut mem = mem.clone();
            match Vm::new(&spec).and_then(|vm| vm.trace(trace).run_mem(&mut mem)) {
                Ok(got) if got == want => {}
                Ok(got) => failures.push(format!(
                    "{name} (trace {trace}): r0 = {got:#x}, expected {want:#x}"
                )),
                Err(e) => failures.push(format!("{name} (trace {trace}): {e}")),
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} programs fail in the VM:\n{}",
        failures.len(),
        files.len(),
        failures.join("\n")
    );
}
