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
//! and `callx.s` ("unknown opcode 8d"). On a kernel without ISA v4 (6.6; a `bswap` probe says
//! so) a case using it may be refused (counted apart); one it loads (6.1.192 takes `gotol`)
//! must give the right result.

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

/// Whether `insns` use an instruction of ISA v4 (Linux 6.6): `bswap`, sign-extending loads
/// (`BPF_MEMSX`) and moves (`movsx`), signed division and modulo (`off` 1), `gotol`
/// (`BPF_JMP32 | BPF_JA` with its target in `imm`; older kernels take one with `off` as `ja`).
fn uses_v4(insns: &[ebpf_dsl::Insn]) -> bool {
    insns.iter().any(|i| {
        let class = i.code & 0x07;
        let alu = class == 0x04 || class == 0x07;
        let op = i.code & 0xf0;
        i.code == 0xd7
            || (class == 0x01 && i.code & 0xe0 == 0x80)
            || (alu && op == 0xb0 && i.off != 0)
            || (alu && (op == 0x30 || op == 0x90) && i.off == 1)
            || (i.code == 0x06 && i.imm != 0)
    })
}

/// Whether this kernel takes ISA v4: an XDP program with a `bswap16` loads (a probe; older
/// kernels answer "unknown opcode d7").
fn kernel_takes_v4() -> bool {
    let insns = [
        ebpf_dsl::Insn::new(0xb7, 0, 0, 0, 0),
        ebpf_dsl::Insn::new(0xd7, 0, 0, 0, 16),
        ebpf_dsl::Insn::new(0x95, 0, 0, 0, 0),
    ];
    xsk_runtime::program::Program::load_insns(
        "probe_v4",
        ProgramType::Xdp,
        "GPL",
        &insns,
        &Default::default(),
    )
    .is_ok()
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
    let v4 = kernel_takes_v4();
    if !v4 {
        println!("branch: this kernel refuses ISA v4 (the bswap probe): its cases may be refused");
    }
    // Cases of ISA v4 the kernel refuses, on a kernel without it.
    let mut v4_refused = Vec::new();
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
        let is_v4 = uses_v4(&assembled.insns);
        let spec = assembled.into_program_spec(
            "conformance",
            ProgramType::Xdp,
            "GPL",
            vec![result_map.clone()],
        );
        let loaded = match Loader::new().program(spec).load() {
            Err(Error::Verifier { .. }) if is_v4 && !v4 => {
                v4_refused.push(name);
                continue;
            }
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
    eprintln!(
        "conformance: {passed} passed, {} failed, {} of ISA v4 refused by this kernel",
        failures.len(),
        v4_refused.len()
    );
    for (name, why) in &failures {
        let short: String = why.chars().take(160).collect();
        eprintln!("  {name}: {short}");
    }
    assert!(
        passed + v4_refused.len() >= 300,
        "only {passed} of 313 passed ({} of ISA v4 refused)",
        v4_refused.len()
    );
    for (name, why) in &failures {
        let reason = expected_failure(name)
            .unwrap_or_else(|| panic!("{name} failed but is not one of the documented 13: {why}"));
        assert!(
            why.contains(reason),
            "{name} failed for another reason than `{reason}`: {why}"
        );
    }
    assert_eq!(passed + failures.len() + v4_refused.len(), 313);
    // The compile-time checks agree with the kernel: they accept every program the kernel runs
    // and reject the ones it refuses.
    // (The checks take ISA v4 as the latest kernels do: not compared where the kernel lacks it.)
    for (name, ok) in checker.iter().filter(|(n, _)| !v4_refused.contains(n)) {
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
