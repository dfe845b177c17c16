//! Nothing is left behind after SIGKILL: `xsk-demo` and `xsk-rxdrop` are killed (no
//! destructor runs) once their sandbox is up; the next run of an example removes both
//! sandboxes, says so in one line, and `ip netns list` / `ip link` show nothing of them.
//! Privileged: skipped with a printed reason when not root and `CI` is not `true`.

use xsk_testkit::kernel_tests;

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

/// A killed example: its pid, namespaces and veth names, and its stderr up to its sandbox
/// line.
struct Killed {
    pid: u32,
    netns: Vec<String>,
    veth: Vec<String>,
    stderr: String,
}

/// Starts `bin` with `args`, waits (at most 20 s) for its `sandbox: ...` line on stderr, and
/// kills it with SIGKILL.
fn start_and_kill(bin: &str, args: &[&str]) -> Killed {
    let mut child: Child = Command::new(bin)
        .args(args)
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("starting {bin}: {e}"));
    let stderr = child.stderr.take().unwrap();
    let (tx, rx) = mpsc::channel();
    let reader = std::thread::spawn(move || {
        let mut before = String::new();
        for line in BufReader::new(stderr).lines().map_while(Result::ok) {
            eprintln!("  | {line}");
            if line.starts_with("sandbox: ") {
                let _ = tx.send((line, std::mem::take(&mut before)));
            } else {
                before.push_str(&line);
                before.push('\n');
            }
        }
    });
    let got = rx.recv_timeout(Duration::from_secs(20));
    child.kill().expect("SIGKILL");
    child.wait().expect("reap");
    reader.join().unwrap();
    let (line, stderr) =
        got.unwrap_or_else(|_| panic!("{bin} printed no sandbox line within 20 s"));
    // sandbox: LEFT (ip, mac) <-> RIGHT (ip, mac) in namespaces L and R, N queue(s)
    let words: Vec<&str> = line.split_whitespace().collect();
    let veth = vec![words[1].to_owned(), words[5].to_owned()];
    let at = line
        .find(" in namespaces ")
        .expect("namespaces in the line")
        + 15;
    let rest = &line[at..];
    let (l, r) = rest.split_once(" and ").unwrap();
    let r = r.split(',').next().unwrap();
    Killed {
        pid: child.id(),
        netns: vec![l.to_owned(), r.to_owned()],
        veth,
        stderr,
    }
}

fn netns_list() -> String {
    let out = Command::new("ip").args(["netns", "list"]).output().unwrap();
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// The one line a run prints about the stale sandboxes it removed.
fn stale_line(stderr: &str) -> &str {
    stderr
        .lines()
        .find(|l| l.contains("stale sandbox namespace"))
        .unwrap_or_else(|| panic!("no line about stale sandboxes:\n{stderr}"))
}

/// After the next run (whose stderr is `stderr`): `killed`'s namespaces and veths are gone,
/// and — if they were still there when that run started (`were_there`; another test process
/// starting a sandbox meanwhile would have removed them itself) — that run's one line names
/// them and their dead pid.
fn check_removed(killed: &Killed, were_there: bool, stderr: &str) {
    if were_there {
        let line = stale_line(stderr);
        assert!(line.starts_with("xsk-runtime: removed "), "{line}");
        assert!(line.contains(" of dead pid"), "{line}");
        assert!(line.contains(&killed.pid.to_string()), "{line}");
        for ns in &killed.netns {
            assert!(line.contains(ns.as_str()), "{line}");
        }
    }
    let list = netns_list();
    let links = Command::new("ip").args(["-o", "link"]).output().unwrap();
    let links = String::from_utf8_lossy(&links.stdout);
    for ns in &killed.netns {
        assert!(!list.contains(ns.as_str()), "{ns} still there:\n{list}");
    }
    for v in &killed.veth {
        assert!(
            !links.contains(v.as_str()),
            "veth {v} still there:\n{links}"
        );
    }
}

/// True if SIGKILL left `killed`'s namespaces behind (it always does; only a cleanup by
/// another test process running in parallel can have removed them since).
fn left_behind(killed: &Killed) -> bool {
    let list = netns_list();
    let there = killed.netns.iter().all(|ns| list.contains(ns.as_str()));
    if !there {
        println!(
            "note: {:?} already removed by another process",
            killed.netns
        );
    }
    there
}

fn sigkilled_examples_leave_nothing_after_the_next_run() {
    let demo = start_and_kill(
        env!("CARGO_BIN_EXE_xsk-demo"),
        &["--udp", "100000", "--rate", "100", "--max-time", "30"],
    );
    let demo_there = left_behind(&demo);
    // The next run (itself killed too) removes the demo's sandbox before it makes its own.
    let rxdrop = start_and_kill(
        env!("CARGO_BIN_EXE_xsk-rxdrop"),
        &["--duration", "30", "--warmup", "0"],
    );
    check_removed(&demo, demo_there, &rxdrop.stderr);
    let rxdrop_there = left_behind(&rxdrop);
    // And the next run removes the rxdrop's.
    let out = Command::new(env!("CARGO_BIN_EXE_xsk-echo"))
        .args(["--requests", "3", "--duration", "8"])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    println!("{stderr}");
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    check_removed(&rxdrop, rxdrop_there, &stderr);
}

kernel_tests! {
    privileged: [
        sigkilled_examples_leave_nothing_after_the_next_run,
    ],
}
