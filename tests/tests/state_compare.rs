//! The state-by-state soundness oracle (`tools/state-compare/`) on kernel rule cases: every
//! state the running kernel prints at `BPF_LOG_LEVEL2` for a case must be covered by a state
//! the static verifier reaches at the same instruction (`ebpf_dsl::verifier::dump`); a kernel
//! state that none covers is a belief of ours the kernel does not hold (a false accept risk).
//!
//! `STATE_COMPARE_OUT=DIR` writes each case's pair (`NAME.klog`, `NAME.ours`) there and
//! compares them all (`STATE_COMPARE_ONLY=a,b` keeps the cases whose name contains one of
//! those; `STATE_COMPARE_ALL=1` takes every case instead of the few below); otherwise the few
//! below are compared in a temporary directory. The tool's own test (a hand-written kernel log
//! snippet whose state must be flagged) runs first. Needs root and python3.

use xsk_testkit::kernel_tests;

#[path = "../../ebpf-dsl/tests/kernel_rules/cases.rs"]
mod rule_cases;
use rule_cases::*;

use std::path::{Path, PathBuf};
use std::process::Command;

use ebpf_dsl::asm::assemble_unchecked;
use ebpf_dsl::verifier::{trace::verify_dumped, KernelVersion, Trust};
use xsk_runtime::program::LoadOptions;
use xsk_runtime::{Error, Loader};

/// The cases compared by default: branches, packet ranges, map values, spills, calls.
const DEFAULT_CASES: &[&str] = &[
    "acq_map_ptr",
    "alu_big_offset_bswap",
    "link_delta_big",
    "pkt_",
    "spill_",
    "subprog_",
    "jmp32_",
];

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn compare_py() -> PathBuf {
    repo().join("tools/state-compare/compare.py")
}

fn running_kernel() -> KernelVersion {
    KernelVersion::running().expect("a major.minor kernel release")
}

/// Writes `NAME.klog` and `NAME.ours` of every case picked into `out`; returns how many.
fn write_pairs(out: &Path, picked: &dyn Fn(&str) -> bool) -> usize {
    let specs = rule_maps();
    let running = running_kernel();
    let cases = cases(&repo().join("ebpf-dsl/tests/kernel_rules"));
    let vmlinux = std::fs::read("/sys/kernel/btf/vmlinux")
        .ok()
        .and_then(|b| ebpf_dsl::btf::Btf::decode(&b).ok());
    let mut n = 0;
    for c in &cases {
        if !picked(&c.name) || (c.btf && vmlinux.is_none()) {
            continue;
        }
        let name = &c.name;
        let src = &case_source(c, vmlinux.as_ref());
        let a = assemble_unchecked(src).unwrap_or_else(|d| panic!("{name}: {d:?}"));
        // `trust_*` labels: ours takes those calls on trust (it differs on purpose).
        if a.labels.iter().any(|(l, _)| l.starts_with("trust_")) {
            continue;
        }
        let Ok(trust) = Trust::from_labels(&a.labels) else {
            continue;
        };
        let case_specs: Vec<_> = specs.iter().chain(&a.maps).cloned().collect();
        let func_info = ebpf_dsl::btf::loader_func_info(&a.insns, &a.globals);
        let input = case_input(c, &a, &case_specs, vmlinux.as_ref(), &func_info)
            .with_kernel(running)
            .with_unavailable_helpers(
                xsk_runtime::features::unavailable_helpers(c.prog_type)
                    .expect("probing the running kernel's helpers"),
            );
        let (_, ours) = verify_dumped(&input, &trust);
        let opts = LoadOptions {
            expected_attach_type: c.attach,
            prog_flags: c.prog_flags,
            globals: a.globals.clone(),
            always_log: true,
            verbose: true,
            ..LoadOptions::default()
        };
        let spec =
            a.clone()
                .into_program_spec("rulecase", c.prog_type, c.license.clone(), specs.clone());
        let btf = ebpf_dsl::elf::ObjectBtf::for_specials(&a.maps, &a.spin_locks, &a.timers);
        let loaded = Loader::new()
            .data(a.data.clone())
            .map_btf(btf)
            .program_with(spec, opts)
            .load();
        let log = match loaded {
            Ok(l) => l
                .program("rulecase")
                .ok()
                .and_then(|p| p.verifier_log().map(str::to_string))
                .unwrap_or_default(),
            Err(Error::Verifier { log, .. }) => log,
            Err(_) => continue,
        };
        std::fs::write(out.join(format!("{name}.klog")), log).expect("write the log");
        std::fs::write(out.join(format!("{name}.ours")), ours).expect("write the states");
        n += 1;
    }
    n
}

/// Runs `compare.py` with `args`; its exit status and output.
fn run_tool(args: &[&str]) -> (bool, String) {
    let o = Command::new("python3")
        .arg(compare_py())
        .args(args)
        .output()
        .expect("python3 runs");
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    );
    (o.status.success(), text)
}

fn kernel_states_are_covered() {
    // The tool must be able to fail: a kernel state no state of ours covers is flagged.
    let (ok, text) = run_tool(&["--self-test"]);
    assert!(ok, "compare.py --self-test:\n{text}");
    let (out, keep) = match std::env::var_os("STATE_COMPARE_OUT") {
        Some(d) => (PathBuf::from(d), true),
        None => (
            std::env::temp_dir().join(format!("state-compare-{}", std::process::id())),
            false,
        ),
    };
    std::fs::create_dir_all(&out).expect("the output directory");
    let only: Option<Vec<String>> = std::env::var("STATE_COMPARE_ONLY")
        .ok()
        .map(|s| s.split(',').map(str::to_string).collect());
    let all = std::env::var("STATE_COMPARE_ALL").is_ok_and(|v| v == "1");
    let picked = |name: &str| match &only {
        Some(o) => o.iter().any(|x| name.contains(x.as_str())),
        None => all || DEFAULT_CASES.iter().any(|x| name.contains(x)),
    };
    let n = write_pairs(&out, &picked);
    assert!(n > 0, "no case compared");
    let dir = out.to_string_lossy().to_string();
    let (ok, text) = run_tool(&["--dir", &dir]);
    println!("{text}");
    if !keep {
        let _ = std::fs::remove_dir_all(&out);
    }
    assert!(ok, "kernel states not covered by ours (see above)");
}

kernel_tests! {
    privileged: [
        kernel_states_are_covered,
    ],
}
