//! Loops in real parsers against the running kernel: each loop-heavy parser of
//! `ebpf-dsl/tests/support/loops.rs` (IPv6 extension headers, TCP options, VLAN tags with a
//! DSCP rewrite, a byte sum, nested loops, a stack-held counter) is loaded with the verifier
//! log on, the kernel's `processed N insns` is read from it and compared with the static
//! verifier's own count (`Report::insns_processed`). Both must accept, and ours must stay
//! within [`RATIO`] times the kernel's. The loops without progress must be refused by both
//! (the kernel: "infinite loop detected"). Prints the table. Needs root; skips with a message
//! otherwise unless `CI=true`.

use xsk_testkit::kernel_tests;

#[path = "../../ebpf-dsl/tests/support/loops.rs"]
mod loops;

use std::borrow::Cow;
use std::fmt::Write as _;

use ebpf_dsl::asm::assemble_unchecked;
use ebpf_dsl::verifier::{verify, Rule, VerifyInput};
use ebpf_dsl::ProgramType;
use xsk_runtime::program::{LoadOptions, Program};

/// Ours may process at most this many times the kernel's instruction count.
const RATIO: usize = 2;

/// The kernel's `processed N insns` from a verifier log.
fn kernel_processed(log: &str) -> Option<usize> {
    let at = log.rfind("processed ")?;
    let rest = &log[at + "processed ".len()..];
    let n: String = rest.chars().take_while(|c| c.is_ascii_digit()).collect();
    if !rest[n.len()..].starts_with(" insns") {
        return None;
    }
    n.parse().ok()
}

/// Loads `src` as an XDP program; the kernel's verdict with its log.
fn kernel_load(name: &str, src: &str) -> Result<String, String> {
    let a = assemble_unchecked(src).unwrap_or_else(|e| panic!("{name}: {e:?}"));
    let spec = ebpf_dsl::ProgramSpec {
        name: Cow::Borrowed("loop_test"),
        prog_type: ProgramType::Xdp,
        license: Cow::Borrowed("GPL"),
        insns: Cow::Owned(a.insns.clone()),
        relocations: Cow::Owned(Vec::new()),
        maps: Cow::Owned(Vec::new()),
        lines: Default::default(),
    };
    let opts = LoadOptions {
        always_log: true,
        ..LoadOptions::default()
    };
    match Program::load_with(&spec, &[], &opts) {
        Ok(p) => Ok(p.verifier_log().unwrap_or_default().to_string()),
        Err(xsk_runtime::Error::Verifier { log, .. }) => Err(log),
        Err(e) => panic!("{name}: BPF_PROG_LOAD failed for a reason other than the verifier: {e}"),
    }
}

fn loop_parsers_within_twice_the_kernel() {
    let mut table = String::new();
    writeln!(
        table,
        "{:<18} {:>8} {:>8} {:>6}",
        "program", "kernel", "ours", "ratio"
    )
    .unwrap();
    let mut failures = Vec::new();
    for (name, src) in loops::PARSERS {
        let log = match kernel_load(name, src) {
            Ok(log) => log,
            Err(log) => {
                let last = log.lines().rev().take(3).collect::<Vec<_>>().join(" / ");
                failures.push(format!(
                    "{name}: the kernel rejects it (fix the program): {last}"
                ));
                continue;
            }
        };
        let kernel = kernel_processed(&log)
            .unwrap_or_else(|| panic!("{name}: no `processed N insns` in the log:\n{log}"));
        let a = assemble_unchecked(src).unwrap();
        let ours = match verify(&VerifyInput::new(&a.insns, ProgramType::Xdp)) {
            Ok(r) => r.insns_processed,
            Err(e) => {
                failures.push(format!("{name}: the static verifier rejects it: {e:?}"));
                writeln!(table, "{name:<18} {kernel:>8} {:>8} {:>6}", "reject", "-").unwrap();
                continue;
            }
        };
        writeln!(
            table,
            "{name:<18} {kernel:>8} {ours:>8} {:>6.2}",
            ours as f64 / kernel as f64
        )
        .unwrap();
        if ours > RATIO * kernel {
            failures.push(format!(
                "{name}: {ours} instructions processed, more than {RATIO} x the kernel's {kernel}"
            ));
        }
    }
    println!("{table}");
    assert!(failures.is_empty(), "{failures:#?}");
}

fn loops_without_progress_rejected_by_both() {
    for (name, src) in loops::NO_PROGRESS {
        let log = kernel_load(name, src).expect_err(name);
        assert!(
            log.contains("infinite loop detected") || log.contains("too large"),
            "{name}: the kernel refuses it for another reason:\n{log}"
        );
        let a = assemble_unchecked(src).unwrap();
        let e = verify(&VerifyInput::new(&a.insns, ProgramType::Xdp)).expect_err(name);
        assert!(
            matches!(e[0].rule, Rule::InfiniteLoop | Rule::Complexity),
            "{name}: {e:?}"
        );
        println!(
            "{name}: kernel: {}; ours: {}",
            log.lines()
                .find(|l| l.contains("infinite loop") || l.contains("too large"))
                .unwrap_or(""),
            e[0].message
        );
    }
}

kernel_tests! {
    privileged: [
        loop_parsers_within_twice_the_kernel,
        loops_without_progress_rejected_by_both,
    ],
}
