//! The bpf_conformance corpus (`ebpf-dsl/tests/data/bpf_conformance/`, 313 programs) through
//! our assembler and the kernel's BPF_PROG_TEST_RUN.
//!
//! Method (from the corpus README): each test becomes an XDP program whose main part
//! bounds-checks the packet (when the test has memory), sets `r1 = data`, `r2 = len`, calls the
//! test body as a bpf-to-bpf function, and stores the 64-bit `r0` into a one-entry array map
//! through a `BPF_PSEUDO_MAP_VALUE` address. The packet is the test's memory padded to 14 bytes.
//!
//! Expected on kernel 6.18: at least 300 pass; every failure is one of the 13 the kernel
//! rejects: shifts by an out-of-range constant (`*-imm-high.s`, `*-imm-neg.s`, "invalid shift")
//! and `callx.s` ("unknown opcode 8d").

use xsk_testkit::kernel_tests;

use std::borrow::Cow;
use std::path::{Path, PathBuf};

use ebpf_dsl::{MapSpec, MapType, ProgramType};
use xsk_runtime::maps::Array;
use xsk_runtime::{Error, Loader};

/// The corpus vendored in the `ebpf-dsl` crate of this workspace.
const CORPUS_DIR: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../ebpf-dsl/tests/data/bpf_conformance"
);

struct Case {
    mem: Vec<u8>,
    result: u64,
    body: String,
}

fn parse_case(name: &str, text: &str) -> Case {
    let mut mem = Vec::new();
    let mut result = None;
    for line in text.lines() {
        if let Some(m) = line.strip_prefix("# mem:") {
            mem = m
                .split_whitespace()
                .map(|b| u8::from_str_radix(b, 16).unwrap())
                .collect();
        } else if let Some(r) = line.strip_prefix("# result:") {
            let r = r.trim();
            let v = match r.strip_prefix("0x") {
                Some(h) => u64::from_str_radix(h, 16).unwrap(),
                None => r.parse::<i64>().map(|v| v as u64).unwrap(),
            };
            result = Some(v);
        }
    }
    Case {
        mem,
        result: result.unwrap_or_else(|| panic!("{name}: no result")),
        body: text.to_owned(),
    }
}

fn wrap(case: &Case) -> String {
    let mut s = String::new();
    if !case.mem.is_empty() {
        let len = case.mem.len();
        s.push_str(&format!(
            "r2 = *(u32 *)(r1 + 0)\n\
             r3 = *(u32 *)(r1 + 4)\n\
             r4 = r2\n\
             r4 += {len}\n\
             if r4 > r3 goto L__bail\n\
             r1 = r2\n\
             r2 = {len}\n"
        ));
    }
    s.push_str(
        "call L__body\n\
         r1 = map_value(result, 0) ll\n\
         *(u64 *)(r1 + 0) = r0\n\
         r0 = 2\n\
         exit\n",
    );
    if !case.mem.is_empty() {
        // Only reachable when there is a bounds check (the verifier refuses dead code).
        s.push_str("L__bail:\nr0 = 1\nexit\n");
    }
    s.push_str("L__body:\n");
    s.push_str(&case.body);
    s.push('\n');
    s
}

/// The 13 the kernel refuses, with the verifier's reason.
fn expected_failure(name: &str) -> Option<&'static str> {
    if name == "callx.s" {
        return Some("unknown opcode 8d");
    }
    let shift = ["lsh", "rsh", "arsh"].iter().any(|p| name.starts_with(p));
    if shift && (name.ends_with("-imm-high.s") || name.ends_with("-imm-neg.s")) {
        return Some("invalid shift");
    }
    None
}

fn kernel_conformance_corpus() {
    let dir = Path::new(CORPUS_DIR);
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("conformance corpus not found at {}: {e}", dir.display()))
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "s"))
        .collect();
    files.sort();
    assert_eq!(files.len(), 313, "corpus size");
    let result_map = MapSpec {
        name: Cow::Borrowed("result"),
        map_type: MapType::Array,
        key_size: 4,
        value_size: 8,
        max_entries: 1,
        flags: 0,
        btf: None,
        inner: None,
    };
    let mut passed = 0;
    let mut failures = Vec::new();
    let mut checker: Vec<(String, bool)> = Vec::new();
    for path in &files {
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        let case = parse_case(&name, &std::fs::read_to_string(path).unwrap());
        let src = wrap(&case);
        // Our own checks (the kernel's early rejections, mirrored at compile time).
        let checked_ok = ebpf_dsl::asm::assemble(&src).is_ok();
        checker.push((name.clone(), checked_ok));
        let assembled = match ebpf_dsl::asm::assemble_unchecked(&src) {
            Ok(a) => a,
            Err(d) => {
                failures.push((name, format!("assembler: {d:?}")));
                continue;
            }
        };
        let spec = assembled.into_program_spec(
            "conformance",
            ProgramType::Xdp,
            "GPL",
            vec![result_map.clone()],
        );
        let loaded = match Loader::new().program(spec).load() {
            Ok(l) => l,
            Err(Error::Verifier { log, .. }) => {
                let last = log.trim_end().lines().last().unwrap_or("").to_owned();
                let all = log.clone();
                failures.push((name, format!("verifier: {last} || {all}")));
                continue;
            }
            Err(e) => {
                failures.push((name, format!("load: {e}")));
                continue;
            }
        };
        let mut packet = case.mem.clone();
        if packet.len() < 14 {
            packet.resize(14, 0);
        }
        let run = loaded
            .program("conformance")
            .unwrap()
            .test_run(&packet, 1)
            .unwrap();
        assert_eq!(run.retval, 2, "{name}: the wrapper did not reach its store");
        let got = loaded.map::<Array<u64>>("result").unwrap().get(0).unwrap();
        if got == case.result {
            passed += 1;
        } else {
            failures.push((name, format!("r0 = {got:#x}, expected {:#x}", case.result)));
        }
    }
    eprintln!("conformance: {passed} passed, {} failed", failures.len());
    for (name, why) in &failures {
        let short: String = why.chars().take(160).collect();
        eprintln!("  {name}: {short}");
    }
    assert!(passed >= 300, "only {passed} of 313 passed");
    for (name, why) in &failures {
        let reason = expected_failure(name)
            .unwrap_or_else(|| panic!("{name} failed but is not one of the documented 13: {why}"));
        assert!(
            why.contains(reason),
            "{name} failed for another reason than `{reason}`: {why}"
        );
    }
    assert_eq!(passed + failures.len(), 313);
    // The compile-time checks agree with the kernel: they accept every program the kernel runs
    // and reject the ones it refuses.
    for (name, ok) in &checker {
        let kernel_ok = !failures.iter().any(|(n, _)| n == name);
        assert_eq!(
            *ok,
            kernel_ok,
            "{name}: ebpf_dsl::asm::assemble {} it, the kernel {} it",
            if *ok { "accepts" } else { "rejects" },
            if kernel_ok { "accepts" } else { "rejects" }
        );
    }
}

kernel_tests! {
    privileged: [kernel_conformance_corpus],
}
