//! `ebpf-dsl load` / `run` failures the kernel reports, as the user sees them (issue 10): a
//! program type without a test run (the kernel's internal ENOTSUPP, 524), an oversized packet
//! for a socket-buffer program, a truncated map name, a closed stdout. Needs root (skips with a
//! printed reason otherwise, runs under CI=true).

use xsk_testkit::kernel_tests;

use std::process::Stdio;

mod support;
use support::{bin, output as run, stderr};

fn write_src(name: &str, text: &str) -> String {
    support::s(&support::write_file("kernel-errors", name, text)).to_string()
}

fn kprobe_test_run_says_it_is_not_supported() {
    let f = write_src("k.s", "r0 = 0\nexit\n");
    let out = run(&[
        "run",
        &f,
        "--type",
        "kprobe",
        "--packet",
        "00112233445566778899aabbccdd",
    ]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    let err = stderr(&out);
    assert!(!err.contains("Unknown error 524"), "{err}");
    assert!(
        err.contains("operation not supported (ENOTSUPP 524)")
            && err.contains("BPF_PROG_TEST_RUN is not supported for kprobe programs"),
        "{err}"
    );
}

fn an_oversized_socket_filter_packet_gets_a_socket_buffer_hint() {
    let f = write_src("s.s", "r0 = 0\nexit\n");
    let packet = "00".repeat(5000);
    let out = run(&["run", &f, "--type", "socket_filter", "--packet", &packet]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    let err = stderr(&out);
    assert!(err.contains("EINVAL"), "{err}");
    assert!(err.contains("socket buffer test packet"), "{err}");
    assert!(!err.contains("XDP"), "{err}");
}

fn a_long_map_name_loads_under_its_truncated_name() {
    let f = write_src("m.s", "r1 = counters_by_protocol ll\nr0 = XDP_PASS\nexit\n");
    let out = run(&["load", &f, "--map", "counters_by_protocol:array:4:8:4"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(
        String::from_utf8_lossy(&out.stdout).contains("verifier: accepted"),
        "{out:?}"
    );
    assert!(
        stderr(&out).contains("the kernel keeps `counters_by_pro`"),
        "{}",
        stderr(&out)
    );
}

fn load_and_run_exit_quietly_on_a_closed_stdout() {
    let f = write_src("p.s", "r0 = XDP_PASS\nexit\n");
    for args in [
        vec!["load", f.as_str()],
        vec![
            "run",
            f.as_str(),
            "--type",
            "xdp",
            "--packet",
            "00112233445566778899aabbccdd",
        ],
    ] {
        let (reader, writer) = std::io::pipe().expect("pipe");
        drop(reader);
        let out = bin()
            .args(&args)
            .stdin(Stdio::null())
            .stdout(writer)
            .stderr(Stdio::piped())
            .output()
            .expect("run ebpf-dsl");
        assert_eq!(out.status.code(), Some(2), "{args:?}: {}", stderr(&out));
        assert!(stderr(&out).is_empty(), "{args:?}: {}", stderr(&out));
    }
}

kernel_tests! {
    privileged: [
        kprobe_test_run_says_it_is_not_supported,
        an_oversized_socket_filter_packet_gets_a_socket_buffer_hint,
        a_long_map_name_loads_under_its_truncated_name,
        load_and_run_exit_quietly_on_a_closed_stdout,
    ],
}
