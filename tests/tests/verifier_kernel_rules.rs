//! The kernel rule cases of `ebpf-dsl/tests/kernel_rules/*.s` against the running kernel:
//! every case is loaded with `BPF_PROG_LOAD` and must get the verdict recorded in its
//! `# kernel:` header, and the static verifier must never accept a case the kernel rejects
//! (its own verdicts, known false rejects included, are checked by
//! `ebpf-dsl/tests/verifier_kernel_rules.rs`). Needs root; skips with a message otherwise
//! unless `CI=true`.

use xsk_testkit::kernel_tests;

#[path = "../../ebpf-dsl/tests/kernel_rules/cases.rs"]
mod rule_cases;
use rule_cases::*;

use std::borrow::Cow;
use std::path::Path;

use ebpf_dsl::asm::assemble_unchecked;
use ebpf_dsl::verifier::{verify_trusting, KernelVersion, Trust, VerifyInput};
use ebpf_dsl::ProgramSpec;
use xsk_runtime::maps::Map;
use xsk_runtime::program::{LoadOptions, Program};
use xsk_runtime::Error;

fn recorded_verdicts_are_the_kernels() {
    let specs = rule_maps();
    let maps: Vec<Map> = specs
        .iter()
        .map(|s| Map::create(s).unwrap_or_else(|e| panic!("creating map {}: {e}", s.name)))
        .collect();
    let map_refs: Vec<&Map> = maps.iter().collect();
    let release = std::fs::read_to_string("/proc/sys/kernel/osrelease").expect("kernel release");
    let running = KernelVersion::parse(&release).expect("a major.minor kernel release");
    let cases =
        cases(&Path::new(env!("CARGO_MANIFEST_DIR")).join("../ebpf-dsl/tests/kernel_rules"));
    assert!(cases.len() >= 80, "only {} cases found", cases.len());
    let mut wrong = Vec::new();
    let (mut agree, mut false_rejects) = (0, 0);
    for c in &cases {
        let (name, src, pt, recorded) = (&c.name, &c.src, c.prog_type, c.kernel_accepts);
        let a = assemble_unchecked(src).unwrap_or_else(|d| panic!("{name}: {d:?}"));
        // Verified for the running kernel, so that features of newer kernels are assumed;
        // `trust_*` labels are honoured as `defprogram!` honours them.
        let trust = Trust::from_labels(&a.labels).unwrap_or_else(|e| panic!("{name}: {e}"));
        let ours = verify_trusting(
            &VerifyInput::new(&a.insns, pt)
                .with_maps(&a.relocations, &specs)
                .with_kernel(running)
                .with_attach_type(c.attach),
            &trust,
        );
        let spec = ProgramSpec {
            name: Cow::Borrowed("rulecase"),
            prog_type: pt,
            license: Cow::Borrowed("GPL"),
            insns: Cow::Owned(a.insns.clone()),
            relocations: Cow::Owned(a.relocations.clone()),
            maps: Cow::Owned(specs.clone()),
            lines: Default::default(),
        };
        let opts = LoadOptions {
            expected_attach_type: c.attach,
            ..LoadOptions::default()
        };
        let kernel = match Program::load_with(&spec, &map_refs, &opts) {
            Ok(_) => Ok(()),
            Err(Error::Verifier { log, .. }) => Err(log),
            Err(e) => {
                panic!("{name}: BPF_PROG_LOAD failed for a reason other than the verifier: {e}")
            }
        };
        let last = |log: &str| {
            log.lines()
                .rev()
                .find(|l| !l.starts_with("processed") && !l.is_empty())
                .unwrap_or("")
                .to_string()
        };
        if kernel.is_ok() != recorded {
            wrong.push(format!(
                "{name}: recorded `kernel: {}`, the kernel says {}",
                if recorded { "accept" } else { "reject" },
                kernel
                    .as_ref()
                    .map(|_| "accept".to_string())
                    .unwrap_or_else(|l| last(l))
            ));
        }
        match (&ours, &kernel) {
            (Ok(_), Err(log)) => {
                wrong.push(format!("{name}: FALSE ACCEPT (kernel: {})", last(log)))
            }
            (Err(e), Ok(())) => {
                false_rejects += 1;
                println!("{name}: false reject: {}", e[0]);
            }
            _ => agree += 1,
        }
    }
    println!(
        "{} kernel rule cases: {agree} agree with the kernel, {false_rejects} false rejects, 0 false accepts allowed",
        cases.len()
    );
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

kernel_tests! {
    privileged: [
        recorded_verdicts_are_the_kernels,
    ],
}
