//! `xsk-demo`: the proof that UDP reaches user space and the rest the stack, its clean-up on
//! Ctrl-C, and `--multiprog` beside xdp-filter.

use std::process::Command;

use crate::common::{run, Run, ONE_AT_A_TIME};

pub fn demo_proves_udp_to_user_space_and_the_rest_to_the_stack() {
    let _one = ONE_AT_A_TIME.lock().unwrap_or_else(|e| e.into_inner());
    let r = run(
        env!("CARGO_BIN_EXE_xsk-demo"),
        &[
            "--udp",
            "3000",
            "--non-udp",
            "30",
            "--rate",
            "0",
            "--max-time",
            "8",
        ],
    );
    r.ok().sandbox_removed();
    assert!(
        r.stdout
            .contains("PROOF OK: all 3000 UDP datagrams arrived intact")
            && r.stdout
                .contains("all 30 TCP SYNs went to the kernel stack"),
        "{}",
        r.stdout
    );
    assert!(
        r.stdout.contains("passed by the XDP program:    30"),
        "{}",
        r.stdout
    );
}

pub fn demo_cleans_up_on_ctrl_c() {
    let _one = ONE_AT_A_TIME.lock().unwrap_or_else(|e| e.into_inner());
    // 100 datagrams per second: still sending when SIGINT comes.
    let mut child = Command::new(env!("CARGO_BIN_EXE_xsk-demo"))
        .args(["--udp", "1000", "--rate", "100", "--max-time", "8"])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    // Send SIGINT once the sandbox is up and packets flow (its first line per second shows
    // that), waiting at most 10 s for it.
    let stdout = child.stdout.take().unwrap();
    let (tx, rx) = std::sync::mpsc::channel();
    let reader = std::thread::spawn(move || {
        use std::io::BufRead;
        let mut all = String::new();
        for line in std::io::BufReader::new(stdout)
            .lines()
            .map_while(Result::ok)
        {
            if line.starts_with("t=") {
                let _ = tx.send(());
            }
            all.push_str(&line);
            all.push('\n');
        }
        all
    });
    let up = rx.recv_timeout(std::time::Duration::from_secs(10)).is_ok();
    let kill = Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(kill.success());
    let out = child.wait_with_output().unwrap();
    let r = Run {
        code: out.status.code(),
        stdout: reader.join().unwrap(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    };
    println!("{}{}", r.stdout, r.stderr);
    assert!(up, "the demo never printed its first line per second");
    assert_eq!(r.code, Some(1), "interrupted: the proof is incomplete");
    assert!(r.stderr.contains("interrupted"), "{}", r.stderr);
    r.sandbox_removed();
}

/// `xsk-demo --multiprog`: xdp-filter (xdp-tools) and our AF_XDP program on one interface
/// through libxdp's dispatcher. Where the kernel refuses freplace programs (which the
/// dispatcher needs), the demo must say so clearly and still clean up.
pub fn demo_multiprog_runs_beside_xdp_filter() {
    let _one = ONE_AT_A_TIME.lock().unwrap_or_else(|e| e.into_inner());
    let r = run(
        env!("CARGO_BIN_EXE_xsk-demo"),
        &[
            "--multiprog",
            "--udp",
            "2000",
            "--non-udp",
            "20",
            "--rate",
            "0",
            "--max-time",
            "8",
        ],
    );
    r.sandbox_removed();
    if let Err(e) = xsk_runtime::multiprog::probe() {
        println!("this kernel refuses freplace programs ({e}): checking the error instead");
        assert_ne!(r.code, Some(0));
        assert!(
            r.stderr
                .contains("--multiprog: this kernel cannot run several XDP programs"),
            "{}",
            r.stderr
        );
        return xsk_testkit::harness::unsupported_here(format!(
            "this kernel refuses freplace programs ({e}); the clear error was checked"
        ));
    }
    r.ok();
    for want in [
        "xdp-filter loaded on",
        "xdp_dispatcher",
        "xdpfilt_",
        "xsk_udp_only",
        "PROOF OK: all 2000 UDP datagrams arrived intact",
        "xdp-filter ran first on the same interface and dropped all 40 datagrams",
    ] {
        assert!(r.stdout.contains(want), "no `{want}` in:\n{}", r.stdout);
    }
}
