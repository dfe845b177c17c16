//! Sandboxes left behind by a killed process are removed by the next one, and only those:
//! a child process (this test binary, re-run in "child" mode) builds a veth sandbox and is
//! killed with SIGKILL; the cleanup removes its namespaces (and with them the veth pair), and
//! never a live owner's, a reused pid's owner, or a namespace that is not ours.
//!
//! Needs root; without root (and CI != "true") each test prints why it skips.

use xsk_testkit::kernel_tests;

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use xsk_testkit::netns::{ip, owner_alive, remove_stale_sandboxes, sandbox_owner, VethPair};

/// The tests of this file one at a time: each one's cleanup would see the others' children.
static ONE_AT_A_TIME: std::sync::Mutex<()> = std::sync::Mutex::new(());

fn one_at_a_time() -> std::sync::MutexGuard<'static, ()> {
    ONE_AT_A_TIME.lock().unwrap_or_else(|e| e.into_inner())
}

/// Set in the child's environment: the child builds a sandbox, prints its names and waits.
const CHILD_ENV: &str = "XSK_STALE_SANDBOX_CHILD";

/// A sandbox's names record its owner, alive. Also the child's part: with [`CHILD_ENV`] set it
/// builds a sandbox, prints `SANDBOX <left ns> <right ns> <left veth> <right veth>`, then waits
/// (at most 60 s) to be killed.
fn a_sandbox_names_its_owner() {
    if std::env::var_os(CHILD_ENV).is_some() {
        let pair = VethPair::builder().tag("stale").build().expect("sandbox");
        println!(
            "\nSANDBOX {} {} {} {}",
            pair.left.ns.name(),
            pair.right.ns.name(),
            pair.left.name,
            pair.right.name
        );
        use std::io::Write;
        std::io::stdout().flush().unwrap();
        std::thread::sleep(Duration::from_secs(60));
        return;
    }
    let _one = one_at_a_time();
    let pair = VethPair::builder().tag("owner").build().expect("sandbox");
    for ns in [pair.left.ns.name(), pair.right.ns.name()] {
        assert!(ns.starts_with("xsk-owner-"), "{ns}");
        let owner = sandbox_owner(ns).expect("the name records its owner");
        assert_eq!(owner.pid, std::process::id(), "{ns}");
        assert!(owner_alive(owner), "{ns}");
    }
    // Interface names fit in 15 bytes and carry the pid too.
    let pid_hex = format!("{:x}", std::process::id());
    for v in [&pair.left.name, &pair.right.name] {
        assert!(v.len() <= 15 && v.contains(&pid_hex), "{v}");
    }
}

/// Names of a child's sandbox.
struct Names {
    netns: [String; 2],
    veth: [String; 2],
}

/// Starts this test binary in child mode and waits for its sandbox line.
fn spawn_child() -> (Child, Names) {
    let exe = std::env::current_exe().expect("current_exe");
    let mut child = Command::new(exe)
        .args([
            "a_sandbox_names_its_owner",
            "--exact",
            "--nocapture",
            "--test-threads=1",
        ])
        .env(CHILD_ENV, "1")
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .expect("start the child");
    let stdout = child.stdout.take().unwrap();
    let mut lines = BufReader::new(stdout).lines();
    let line = loop {
        match lines.next() {
            // libtest may print `test NAME ... ` in front of it.
            Some(Ok(l)) if l.contains("SANDBOX ") => {
                break l[l.find("SANDBOX ").unwrap()..].to_owned()
            }
            Some(Ok(_)) => continue,
            other => {
                let _ = child.kill();
                let _ = child.wait();
                panic!("the child printed no SANDBOX line: {other:?}");
            }
        }
    };
    let f: Vec<String> = line.split_whitespace().skip(1).map(String::from).collect();
    assert_eq!(f.len(), 4, "{line}");
    let names = Names {
        netns: [f[0].clone(), f[1].clone()],
        veth: [f[2].clone(), f[3].clone()],
    };
    (child, names)
}

fn netns_list() -> Vec<String> {
    ip(&["netns", "list"])
        .expect("ip netns list")
        .lines()
        .filter_map(|l| l.split_whitespace().next().map(String::from))
        .collect()
}

/// The interface names of the host namespace (`ip -o link`).
fn host_links() -> String {
    ip(&["-o", "link"]).expect("ip link")
}

fn sigkilled_owners_sandbox_is_removed_by_the_next_cleanup() {
    let _one = one_at_a_time();
    let (mut child, names) = spawn_child();
    let pid = child.id();
    for ns in &names.netns {
        let owner = sandbox_owner(ns).expect("the name records its owner");
        assert_eq!(owner.pid, pid, "{ns}");
    }
    assert!(netns_list().contains(&names.netns[0]));
    child.kill().expect("SIGKILL the child");
    child.wait().expect("reap the child");

    // SIGKILL ran no destructor: the namespaces are still there (unless a cleanup of another
    // test process got to them first, which is what this tests too).
    let before = netns_list();
    let present: Vec<&String> = names.netns.iter().filter(|n| before.contains(n)).collect();
    let report = remove_stale_sandboxes().expect("cleanup");
    let line = report.to_string();
    eprintln!("{line}");
    for ns in present {
        assert!(
            report.removed.get(&pid).is_some_and(|v| v.contains(ns)),
            "{ns} of dead pid {pid} was not removed: {line}"
        );
    }
    if report.removed.contains_key(&pid) {
        assert!(line.contains("of dead pid"), "{line}");
        assert!(line.contains(&pid.to_string()), "{line}");
    }
    let after = netns_list();
    for ns in &names.netns {
        assert!(!after.contains(ns), "{ns} left behind: {after:?}");
        assert!(
            !std::path::Path::new("/run/netns").join(ns).exists(),
            "{ns} still in /run/netns"
        );
    }
    let links = host_links();
    for v in &names.veth {
        assert!(
            !links.contains(v.as_str()),
            "veth {v} left behind:\n{links}"
        );
    }
}

fn a_live_owners_sandbox_is_never_removed() {
    let _one = one_at_a_time();
    let (mut child, names) = spawn_child();
    let pid = child.id();
    // The owner lives: however often anyone cleans up, its sandbox stays.
    for _ in 0..3 {
        let report = remove_stale_sandboxes().expect("cleanup");
        assert!(
            !report.removed.contains_key(&pid),
            "removed a live process's sandbox: {report}"
        );
        let list = netns_list();
        for ns in &names.netns {
            assert!(
                list.contains(ns),
                "{ns} of live pid {pid} is gone: {list:?}"
            );
        }
    }
    // And this process's own sandbox too.
    let mine = VethPair::builder().tag("live").build().expect("sandbox");
    let report = remove_stale_sandboxes().expect("cleanup");
    assert!(
        !report.removed.contains_key(&std::process::id()),
        "{report}"
    );
    assert!(netns_list().contains(&mine.left.ns.name().to_owned()));
    drop(mine);

    child.kill().expect("SIGKILL the child");
    child.wait().expect("reap the child");
    // Now it is stale: bounded wait until a cleanup (ours or another process's) removed it.
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let _ = remove_stale_sandboxes().expect("cleanup");
        let list = netns_list();
        if names.netns.iter().all(|n| !list.contains(n)) {
            break;
        }
        assert!(Instant::now() < deadline, "not removed: {list:?}");
        std::thread::sleep(Duration::from_millis(50));
    }
}

fn a_reused_pid_or_a_foreign_name_is_judged_right() {
    let _one = one_at_a_time();
    let me = std::process::id();
    let my_name = {
        let pair = VethPair::builder().tag("me").build().expect("sandbox");
        let n = pair.left.ns.name().to_owned();
        let owner = sandbox_owner(&n).unwrap();
        assert_eq!(owner.pid, me);
        // Our pid with another start time: a process that died before this one got its pid.
        let reused = format!("xsk-reuse-p{me}t{}n{}", owner.start + 1, 900_000 + me);
        // Beyond the largest pid_max (2^22): that pid cannot exist.
        let dead_foreign = format!("other-p4194305t1n{me}");
        let dead_ours = format!("xsk-dead-p4194305t1n{me}");
        for n in [&reused, &dead_foreign, &dead_ours] {
            ip(&["netns", "add", n]).expect("ip netns add");
        }
        let report = remove_stale_sandboxes().expect("cleanup");
        let list = netns_list();
        let _ = ip(&["netns", "del", &dead_foreign]);
        for n in [&reused, &dead_ours] {
            assert!(!list.contains(n), "{n} (owner gone) was kept: {report}");
        }
        assert!(
            list.contains(&dead_foreign),
            "a name that is not ours was removed: {report}"
        );
        assert!(
            list.contains(&n),
            "our own live sandbox was removed: {report}"
        );
        n
    };
    assert!(!netns_list().contains(&my_name), "dropped sandbox stays");
}

kernel_tests! {
    privileged: [
        a_sandbox_names_its_owner,
        sigkilled_owners_sandbox_is_removed_by_the_next_cleanup,
        a_live_owners_sandbox_is_never_removed,
        a_reused_pid_or_a_foreign_name_is_judged_right,
    ],
}
