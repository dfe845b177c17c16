//! The kernel rule cases of `tests/kernel_rules/*.s` (see its README): each program carries
//! the verdict the running kernel (6.18, as root) gives it; the static verifier must give the
//! same verdict, except for the known false rejects marked `# ours: reject`. The kernel side is
//! checked by `tests/tests/verifier_kernel_rules.rs` in the workspace.

#[path = "kernel_rules/cases.rs"]
mod rule_cases;
use rule_cases::*;

use std::path::Path;

use ebpf_dsl::asm::assemble_unchecked;
use ebpf_dsl::verifier::{verify, verify_trusting, KernelVersion, Trust};

#[test]
fn static_verdicts_match_the_recorded_kernel_verdicts() {
    let maps = rule_maps();
    let cases = cases(&Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/kernel_rules"));
    assert!(cases.len() >= 80, "only {} cases found", cases.len());
    let mut wrong = Vec::new();
    let mut known_false_rejects = 0;
    // The running kernel's BTF, for the `# btf: vmlinux` cases (skipped, by name, without it):
    // their kernel types, members and sizes by name are resolved against it.
    let vmlinux = std::fs::read("/sys/kernel/btf/vmlinux")
        .ok()
        .and_then(|b| ebpf_dsl::btf::Btf::decode(&b).ok());
    let skip_btf = btf_cases_skip_reason().or_else(|| {
        vmlinux
            .is_none()
            .then(|| "the running kernel's BTF does not decode".to_string())
    });
    let mut skipped = 0;
    for c in &cases {
        if let (true, Some(why)) = (c.btf, &skip_btf) {
            println!("skipped: {} ({why})", c.name);
            skipped += 1;
            continue;
        }
        assert!(
            c.kernel_accepts || !c.we_accept,
            "{}: a case may not record a false accept",
            c.name
        );
        let src = case_source(c, vmlinux.as_ref());
        let a = assemble_unchecked(&src)
            .unwrap_or_else(|d| panic!("{} does not assemble: {d:?}", c.name));
        // The rule maps and the case's own `.map` declarations, with their `init=` contents
        // (frozen when `rdonly_prog`, as the kernel side's loader does).
        let case_maps: Vec<_> = maps.iter().chain(&a.maps).cloned().collect();
        let func_info = ebpf_dsl::btf::loader_func_info(&a.insns, &a.globals);
        let input = case_input(c, &a, &case_maps, vmlinux.as_ref(), &func_info);
        if let Some(v) = c.since {
            // Older targets must not assume the feature: the older line's first release (a
            // later release of it may have the rule by a stable backport, as
            // `KernelVersion::FALLTHROUGH_BACK_EDGE` has in 6.6.47).
            let old = KernelVersion::with_patch(v.major, v.minor - 1, 0);
            if verify(&input.clone().with_kernel(old)).is_ok() {
                wrong.push(format!("{}: accepted for {old}, needs {v}", c.name));
            }
        }
        if let Some(v) = c.until {
            // The older line accepts it (a rule its kernel does not have yet).
            let old = KernelVersion::new(v.major, v.minor - 1);
            if let Err(e) = verify(&input.clone().with_kernel(old)) {
                wrong.push(format!(
                    "{}: refused for {old}, which accepts it before {v}: {}",
                    c.name, e[0]
                ));
            }
        }
        let kernel = c
            .target
            .or(c.since)
            .or(c.until)
            .unwrap_or(KernelVersion::DEFAULT);
        // `trust_*` labels (the scalpel) are honoured as `defprogram!` honours them.
        let trust = Trust::from_labels(&a.labels)
            .unwrap_or_else(|e| panic!("{}: bad trust labels: {e}", c.name));
        let r = verify_trusting(&input.with_kernel(kernel), &trust);
        if r.is_ok() != c.we_accept {
            wrong.push(format!(
                "{}: expected {}, got {:?}",
                c.name,
                if c.we_accept { "accept" } else { "reject" },
                r.map_err(|e| e[0].to_string())
            ));
        }
        if c.kernel_accepts && !c.we_accept {
            known_false_rejects += 1;
        }
    }
    println!(
        "{} kernel rule cases, {known_false_rejects} known false rejects, {skipped} skipped (named above)",
        cases.len()
    );
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}
