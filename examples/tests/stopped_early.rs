//! Stopped early, the examples say what they measured and fail honestly: `xsk-rxdrop`
//! interrupted during its warm-up prints no `RESULT` (nothing was measured) and exits
//! non-zero; `xsk-echo` stopped by `--duration` before its client finished prints its summary
//! (answered / sent, round-trip p50, p99, p99.9 from its fixed-size histogram) and exits
//! non-zero. Privileged: skipped with a printed reason when not root and `CI` is not `true`.

use xsk_testkit::kernel_tests;

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::time::Duration;

use nix::sys::signal::{kill, Signal};
use nix::unistd::Pid;

/// The examples' tests one at a time (each builds namespaces and runs traffic).
static ONE_AT_A_TIME: std::sync::Mutex<()> = std::sync::Mutex::new(());

fn rxdrop_interrupted_in_warm_up_says_so_and_fails() {
    let _one = ONE_AT_A_TIME.lock().unwrap_or_else(|e| e.into_inner());
    let mut child = Command::new(env!("CARGO_BIN_EXE_xsk-rxdrop"))
        .args(["--warmup", "30", "--duration", "1"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let stderr = child.stderr.take().unwrap();
    let (tx, rx) = std::sync::mpsc::channel();
    let reader = std::thread::spawn(move || {
        let mut all = String::new();
        for line in BufReader::new(stderr).lines().map_while(Result::ok) {
            if line.starts_with("sandbox: ") {
                let _ = tx.send(());
            }
            all.push_str(&line);
            all.push('\n');
        }
        all
    });
    // Once the sandbox is up (the warm-up has begun), Ctrl-C.
    let up = rx.recv_timeout(Duration::from_secs(20));
    std::thread::sleep(Duration::from_millis(500));
    kill(Pid::from_raw(child.id() as i32), Signal::SIGINT).unwrap();
    let out = child.wait_with_output().unwrap();
    let stderr = reader.join().unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    println!("{stdout}{stderr}");
    assert!(up.is_ok(), "no sandbox line within 20 s");
    assert_eq!(out.status.code(), Some(1), "interrupted before measuring");
    assert!(
        stderr.contains("during the 30.0 s warm-up: nothing was measured"),
        "{stderr}"
    );
    assert!(!stdout.contains("RESULT "), "{stdout}");
    // The generator ran (live frames, or AF_PACKET where the kernel refuses them) and said
    // which.
    let engine = stderr
        .lines()
        .find_map(|l| l.split_once("(engine: ").map(|(_, e)| e))
        .unwrap_or_else(|| panic!("no generator engine line: {stderr}"));
    println!("generator engine: {engine}");
    assert!(
        engine.starts_with("live frames") || engine.starts_with("AF_PACKET"),
        "{engine}"
    );
    assert!(
        stderr.contains("sandbox: the generator sent "),
        "the generator was stopped: {stderr}"
    );
    assert!(
        stderr.contains("sandbox removed (namespaces "),
        "cleaned up: {stderr}"
    );
}

fn echo_stopped_by_duration_prints_its_summary() {
    let _one = ONE_AT_A_TIME.lock().unwrap_or_else(|e| e.into_inner());
    // A million requests one at a time cannot finish in 2 s.
    let out = Command::new(env!("CARGO_BIN_EXE_xsk-echo"))
        .args(["--requests", "1000000", "--duration", "2"])
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    println!("{stdout}{stderr}");
    assert_eq!(out.status.code(), Some(1), "not every request was answered");
    let summary = stdout
        .lines()
        .find(|l| l.contains("requests answered correctly"))
        .unwrap_or_else(|| panic!("no summary:\n{stdout}"));
    assert!(summary.contains("of 1000000 requests"), "{summary}");
    assert!(summary.contains("stopped by --duration"), "{summary}");
    for field in ["round trip n=", " p50=", " p99=", " p99.9=", " max="] {
        assert!(summary.contains(field), "{field} in {summary}");
    }
    // n= is the number answered correctly: the histogram holds every round trip measured.
    let ok: u64 = summary
        .split_whitespace()
        .nth(1)
        .and_then(|w| w.parse().ok())
        .unwrap_or_else(|| panic!("{summary}"));
    assert!(
        summary.contains(&format!("round trip n={ok} ")),
        "{summary}"
    );
    assert!(stderr.contains("sandbox removed (namespaces "), "{stderr}");
}

kernel_tests! {
    privileged: [
        rxdrop_interrupted_in_warm_up_says_so_and_fails,
        echo_stopped_by_duration_prints_its_summary,
    ],
}
