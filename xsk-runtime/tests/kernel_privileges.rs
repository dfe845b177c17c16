//! Without privileges, errors say which capability is missing: the test re-runs itself as user
//! `nobody` with no capabilities (`setpriv`) and checks what each step reports.
//!
//! Needs root (to drop privileges); without root (and CI != "true") it prints why it skips.

use xsk_testkit::kernel_tests;

mod common;

use std::process::Command;

use ebpf_dsl::{MapSpec, MapType};
use xsk_runtime::maps::Map;

const CHILD_ENV: &str = "XSK_RUNTIME_TEST_UNPRIVILEGED";

/// In the child (no capabilities): each step's error on its own line.
fn child() -> ! {
    let map = Map::create(&MapSpec {
        name: "unpriv_xsks".into(),
        map_type: MapType::Xskmap,
        key_size: 4,
        value_size: 4,
        max_entries: 1,
        flags: 0,
        btf: None,
        inner: None,
    });
    println!("MAP {}", describe(map.map(|_| ())));
    let prog =
        xsk_runtime::Program::load(&common::asm("unpriv", "r0 = XDP_PASS\nexit", vec![]), &[]);
    println!("PROG {}", describe(prog.map(|_| ())));
    let sock = xsk_runtime::os::xsk_socket();
    println!("XSK {}", describe(sock.map(|_| ())));
    std::process::exit(0);
}

fn describe(r: xsk_runtime::Result<()>) -> String {
    match r {
        Ok(()) => "ok".to_string(),
        Err(e) => format!("{:?} {e}", e.errno()),
    }
}

fn unprivileged_errors_name_the_missing_capability() {
    if std::env::var(CHILD_ENV).is_ok() {
        child();
    }
    let exe = std::env::current_exe().unwrap();
    let out = Command::new("setpriv")
        .args([
            "--reuid=65534",
            "--regid=65534",
            "--clear-groups",
            "--inh-caps=-all",
            "--bounding-set=-all",
            "--",
        ])
        .arg(exe)
        .args([
            "--exact",
            "unprivileged_errors_name_the_missing_capability",
            "--test-threads=1",
            "--nocapture",
            // The child is not root: the harness would report the test ignored.
            "--include-ignored",
        ])
        .env(CHILD_ENV, "1")
        .output()
        .expect("run setpriv (util-linux)");
    let stdout = String::from_utf8_lossy(&out.stdout);
    eprintln!("{stdout}");
    let line = |tag: &str| -> String {
        stdout
            .lines()
            .find_map(|l| l.find(tag).map(|i| l[i + tag.len()..].to_string()))
            .unwrap_or_else(|| panic!("no {tag} line in the child's output:\n{stdout}"))
    };
    let map = line("MAP ");
    assert!(map.starts_with("Some(1)"), "EPERM expected: {map}");
    assert!(map.contains("CAP_BPF") && map.contains("root"), "{map}");
    let prog = line("PROG ");
    assert!(prog.starts_with("Some(1)"), "EPERM expected: {prog}");
    assert!(
        prog.contains("CAP_BPF") && prog.contains("RLIMIT_MEMLOCK"),
        "{prog}"
    );
    let xsk = line("XSK ");
    assert!(xsk.starts_with("Some(1)"), "EPERM expected: {xsk}");
    assert!(xsk.contains("CAP_NET_RAW"), "{xsk}");
    for l in [&map, &prog, &xsk] {
        assert!(!l.contains("  "), "a hint with a run of spaces: {l}");
    }
}

kernel_tests! {
    privileged: [unprivileged_errors_name_the_missing_capability],
}
