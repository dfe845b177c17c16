//! Runs every example binary in its standalone sandbox mode with short bounds and checks its
//! exit status, key output and the frame counts a sandbox can know exactly (what was sent,
//! what the far end's sink counted, what the veth ends counted as dropped). Privileged: shown
//! as ignored, with the reason, when not root and `CI` is not `true`; under `CI=true` they run.
//! The tests run one at a time (a lock): each example builds its own namespaces and some run a
//! packet generator at full speed.

use xsk_testkit::kernel_tests;

use std::path::PathBuf;
use std::process::{Command, Output};
use std::sync::Mutex;

use xsk_examples::linkstats::LinkStats;

static ONE_AT_A_TIME: Mutex<()> = Mutex::new(());

struct Run {
    code: Option<i32>,
    stdout: String,
    stderr: String,
}

fn run(bin: &str, args: &[&str]) -> Run {
    let out: Output = Command::new(bin)
        .args(args)
        .output()
        .unwrap_or_else(|e| panic!("starting {bin}: {e}"));
    let r = Run {
        code: out.status.code(),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    };
    println!("$ {bin} {}\n{}{}", args.join(" "), r.stdout, r.stderr);
    r
}

impl Run {
    fn ok(&self) -> &Self {
        assert_eq!(self.code, Some(0), "exit status; stderr:\n{}", self.stderr);
        self
    }

    /// The sandbox the run made is gone: its namespaces are no longer listed.
    fn sandbox_removed(&self) -> &Self {
        let line = self
            .stderr
            .lines()
            .find(|l| l.starts_with("sandbox removed (namespaces "))
            .unwrap_or_else(|| panic!("no `sandbox removed` line in:\n{}", self.stderr));
        let names = line
            .trim_start_matches("sandbox removed (namespaces ")
            .trim_end_matches(')');
        let list = Command::new("ip").args(["netns", "list"]).output().unwrap();
        let list = String::from_utf8_lossy(&list.stdout);
        for n in names.split(" and ") {
            assert!(!list.contains(n), "namespace {n} still exists:\n{list}");
        }
        self
    }

    /// The namespaces of the sandbox the run announced (`... in namespaces A and B, ...`) are
    /// gone (a run that failed removes them without saying so).
    fn namespaces_gone(&self) -> &Self {
        let names = self
            .stderr
            .lines()
            .find_map(|l| l.split_once(" in namespaces ").map(|(_, t)| t))
            .and_then(|t| t.split(',').next())
            .unwrap_or_else(|| panic!("no sandbox line in:\n{}", self.stderr));
        let list = Command::new("ip").args(["netns", "list"]).output().unwrap();
        let list = String::from_utf8_lossy(&list.stdout);
        for n in names.split(" and ") {
            assert!(!list.contains(n), "namespace {n} still exists:\n{list}");
        }
        self
    }

    /// The `key=value` pairs of the `RESULT` line.
    fn result(&self) -> Vec<(String, String)> {
        let line = self
            .stdout
            .lines()
            .rev()
            .find(|l| l.starts_with("RESULT "))
            .unwrap_or_else(|| panic!("no RESULT line in:\n{}", self.stdout));
        line.split_whitespace()
            .skip(1)
            .filter_map(|kv| kv.split_once('='))
            .map(|(k, v)| (k.to_owned(), v.to_owned()))
            .collect()
    }

    /// The number after `prefix` on a line of stdout or stderr.
    fn sandbox_num(&self, prefix: &str) -> u64 {
        self.stdout
            .lines()
            .chain(self.stderr.lines())
            .find_map(|l| l.strip_prefix(prefix))
            .and_then(|t| t.split_whitespace().next())
            .and_then(|n| n.parse().ok())
            .unwrap_or_else(|| panic!("no `{prefix}N` line in:\n{}", self.stderr))
    }

    /// The kernel's counters of one end (`left` or `right`) of the sandbox's veth pair, as
    /// the example printed them before it removed the sandbox.
    fn counters(&self, side: &str) -> LinkStats {
        let prefix = format!("sandbox: counters of the {side} end ");
        let line = self
            .stderr
            .lines()
            .find_map(|l| l.strip_prefix(prefix.as_str()))
            .unwrap_or_else(|| panic!("no `{prefix}` line in:\n{}", self.stderr));
        let num = |key: &str| -> u64 {
            line.split_whitespace()
                .find_map(|kv| kv.strip_prefix(key)?.strip_prefix('='))
                .and_then(|v| v.parse().ok())
                .unwrap_or_else(|| panic!("no {key}= in `{line}`"))
        };
        LinkStats {
            rx_packets: num("rx_packets"),
            rx_dropped: num("rx_dropped"),
            tx_packets: num("tx_packets"),
            tx_dropped: num("tx_dropped"),
        }
    }

    /// The generator's engine as the run printed it (`prefix` then the engine): "live frames"
    /// or "AF_PACKET (live frames refused: ...)". It must be the one this kernel's probe
    /// allows: live frames where they run, else AF_PACKET with the kernel's refusal.
    fn engine(&self, prefix: &str) -> String {
        let engine = self
            .stdout
            .lines()
            .chain(self.stderr.lines())
            .find_map(|l| l.split_once(prefix).map(|(_, e)| e.to_owned()))
            .unwrap_or_else(|| panic!("no `{prefix}` line in:\n{}{}", self.stdout, self.stderr));
        let live = live_frames_here();
        println!("generator engine: {engine} (live frames here: {live})");
        if live {
            assert!(engine.starts_with("live frames"), "{engine}");
        } else {
            assert!(
                engine.starts_with(
                    "AF_PACKET (live frames refused: BPF_PROG_TEST_RUN(LIVE_FRAMES) failed: "
                ) && engine.contains("hint: "),
                "{engine}"
            );
        }
        engine
    }

    fn result_num(&self, key: &str) -> f64 {
        self.result()
            .into_iter()
            .find(|(k, _)| k == key)
            .unwrap_or_else(|| panic!("no {key}= in the RESULT line"))
            .1
            .parse()
            .unwrap_or_else(|e| panic!("{key}: {e}"))
    }
}

/// Whether this kernel runs live frames, by the runtime's probe (the generator probes the
/// same way on its own interface).
fn live_frames_here() -> bool {
    static LIVE: std::sync::OnceLock<bool> = std::sync::OnceLock::new();
    *LIVE.get_or_init(|| {
        xsk_runtime::features::Features::probe()
            .live_frames
            .available
    })
}

const ALL: [&str; 8] = [
    env!("CARGO_BIN_EXE_xsk-demo"),
    env!("CARGO_BIN_EXE_xsk-flowtop"),
    env!("CARGO_BIN_EXE_xsk-rxdrop"),
    env!("CARGO_BIN_EXE_xsk-txonly"),
    env!("CARGO_BIN_EXE_xsk-l2fwd"),
    env!("CARGO_BIN_EXE_xsk-echo"),
    env!("CARGO_BIN_EXE_xsk-capture"),
    env!("CARGO_BIN_EXE_xsk-pktgen"),
];

fn every_example_has_help_and_rejects_bad_options() {
    for bin in ALL {
        let r = run(bin, &["--help"]);
        r.ok();
        assert!(
            r.stdout.contains("Usage:") && r.stdout.contains("--iface"),
            "{}",
            r.stdout
        );
        let r = run(bin, &["--no-such-option"]);
        assert_eq!(r.code, Some(2), "usage errors exit with 2");
        assert!(
            r.stderr.contains("unknown option --no-such-option"),
            "{}",
            r.stderr
        );
    }
}

fn not_root_is_a_clear_error() {
    // As root, drop to `nobody` to see what an unprivileged user gets.
    for bin in ALL {
        let out = Command::new("setpriv")
            .args(["--reuid=65534", "--regid=65534", "--clear-groups", bin])
            .output()
            .expect("setpriv (util-linux)");
        let stderr = String::from_utf8_lossy(&out.stderr);
        if stderr.starts_with("setpriv:") {
            // E.g. the build directory is not reachable for `nobody` (a home directory with
            // mode 700): nothing to learn about the example.
            println!("skipping {bin} as nobody: {stderr}");
            continue;
        }
        assert_eq!(out.status.code(), Some(1), "{bin}: {stderr}");
        assert!(
            stderr.contains("needs root") && stderr.contains("hint:"),
            "{bin}: {stderr}"
        );
        assert!(!stderr.contains("panicked"), "{bin}: {stderr}");
    }
}

fn demo_proves_udp_to_user_space_and_the_rest_to_the_stack() {
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

fn flowtop_proves_every_count() {
    let _one = ONE_AT_A_TIME.lock().unwrap_or_else(|e| e.into_inner());
    let r = run(
        env!("CARGO_BIN_EXE_xsk-flowtop"),
        &[
            "--flows",
            "3",
            "--passed-flows",
            "2",
            "--packets",
            "100",
            "--rate",
            "0",
            "--max-time",
            "8",
        ],
    );
    r.ok().sandbox_removed();
    // 3 flows to AF_XDP of 100, 150, 200 datagrams with 32, 69, 106-byte payloads (frames of
    // 74, 111, 148 bytes), and 2 to the stack of 100 and 150.
    for line in [
        "datagrams sent:                     700 over 5 flows",
        "flows in the map, packets and bytes exact: 5 of 5",
        "new-flow events (ring buffer):      5 (5 flows with exactly one, of the right length)",
        "AF_XDP deliveries:                  450 packets, 53650 bytes (5 of 5 flows exact)",
        "PROOF OK",
    ] {
        assert!(r.stdout.contains(line), "{line:?} not in:\n{}", r.stdout);
    }
    assert!(
        r.stdout.contains(":7777 udp") && r.stdout.contains(":7778 udp"),
        "{}",
        r.stdout
    );
}

/// `--port` moves the AF_XDP port (the other flows go to port + 1), and `--sample N` sends
/// every N-th packet of each CPU to the ring buffer: the proof counts them exactly.
fn flowtop_port_and_sampling() {
    let _one = ONE_AT_A_TIME.lock().unwrap_or_else(|e| e.into_inner());
    let r = run(
        env!("CARGO_BIN_EXE_xsk-flowtop"),
        &[
            "--port",
            "9100",
            "--sample",
            "5",
            "--flows",
            "3",
            "--passed-flows",
            "2",
            "--packets",
            "100",
            "--rate",
            "0",
            "--max-time",
            "8",
        ],
    );
    r.ok().sandbox_removed();
    for line in [
        "flows in the map, packets and bytes exact: 5 of 5",
        "AF_XDP deliveries:                  450 packets, 53650 bytes (5 of 5 flows exact)",
        "sampled packets (1 in 5 per CPU): ",
        "every UDP datagram to port 9100 on AF_XDP",
        "PROOF OK",
    ] {
        assert!(r.stdout.contains(line), "{line:?} not in:\n{}", r.stdout);
    }
    // 700 packets over the CPUs, every 5th of each: between 140 - (CPUs - 1) and 140.
    let sampled = r
        .stdout
        .lines()
        .find_map(|l| l.strip_prefix("sampled packets (1 in 5 per CPU): "))
        .unwrap();
    let got: Vec<u64> = sampled
        .split(' ')
        .filter_map(|w| w.parse().ok())
        .take(2)
        .collect();
    assert_eq!(got.len(), 2, "{sampled}");
    assert_eq!(got[0], got[1], "read as many as were due: {sampled}");
    assert!((139..=140).contains(&got[0]), "{sampled}");
    assert!(
        r.stdout.contains(":9100 udp") && r.stdout.contains(":9101 udp"),
        "{}",
        r.stdout
    );
}

/// The proof can fail: a sender cut short by --max-time leaves counts below the plan.
fn flowtop_proof_fails_when_the_mix_is_cut_short() {
    let _one = ONE_AT_A_TIME.lock().unwrap_or_else(|e| e.into_inner());
    let r = run(
        env!("CARGO_BIN_EXE_xsk-flowtop"),
        &["--rate", "200", "--max-time", "0.5"],
    );
    r.sandbox_removed();
    assert_eq!(r.code, Some(1), "{}", r.stderr);
    assert!(
        r.stdout.contains("PROOF FAILED") && !r.stdout.contains("PROOF OK"),
        "{}",
        r.stdout
    );
    assert!(
        r.stdout.contains("  sent ") && r.stdout.contains("of 6500 datagrams"),
        "{}",
        r.stdout
    );
}

fn demo_cleans_up_on_ctrl_c() {
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

fn capture_writes_a_pcap_of_what_the_filter_selects() {
    let _one = ONE_AT_A_TIME.lock().unwrap_or_else(|e| e.into_inner());
    let path: PathBuf =
        std::env::temp_dir().join(format!("xsk-capture-test-{}.pcap", std::process::id()));
    let p = path.to_str().unwrap();
    let r = run(
        env!("CARGO_BIN_EXE_xsk-capture"),
        &["-w", p, "--filter", "udp-port=9000", "--duration", "8"],
    );
    r.ok().sandbox_removed();
    // Our own reader: 25 records, each a UDP datagram to port 9000.
    let file = xsk_examples::pcap::read(&path).unwrap();
    assert_eq!((file.version, file.linktype), ((2, 4), 1));
    assert_eq!(file.records.len(), 25);
    for rec in &file.records {
        match xsk_examples::packet::parse(&rec.data) {
            xsk_examples::packet::Parsed::Udp { dport, payload, .. } => {
                assert_eq!(dport, 9000);
                assert!(payload.starts_with(b"capture test "));
            }
            other => panic!("not UDP: {other:?}"),
        }
    }
    // And the tools users read it with, where installed (CI installs tshark).
    if let Ok(out) = Command::new("tshark")
        .args(["-r", p, "-T", "fields", "-e", "udp.dstport"])
        .output()
    {
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let ports = String::from_utf8_lossy(&out.stdout);
        assert_eq!(
            ports.lines().filter(|l| l.trim() == "9000").count(),
            25,
            "{ports}"
        );
    } else if let Ok(out) = Command::new("tcpdump").args(["-n", "-r", p]).output() {
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let text = String::from_utf8_lossy(&out.stdout);
        assert_eq!(
            text.lines().filter(|l| l.contains(".9000: UDP")).count(),
            25,
            "{text}"
        );
    } else {
        println!("neither tshark nor tcpdump is installed: checked with our reader only");
    }
    let _ = std::fs::remove_file(&path);
}

fn echo_answers_every_request() {
    let _one = ONE_AT_A_TIME.lock().unwrap_or_else(|e| e.into_inner());
    let r = run(
        env!("CARGO_BIN_EXE_xsk-echo"),
        &["--requests", "50", "--duration", "8"],
    );
    r.ok().sandbox_removed();
    assert!(
        r.stdout.contains("50 of 50 requests answered correctly"),
        "{}",
        r.stdout
    );
    assert!(r.stdout.contains("ECHO OK"), "{}", r.stdout);
}

/// The idle modes the latency benchmark uses (`--poll`, `--spin`, `--busy-poll`) answer every
/// request too.
fn echo_poll_and_spin_answer_every_request() {
    let _one = ONE_AT_A_TIME.lock().unwrap_or_else(|e| e.into_inner());
    for mode in ["--poll", "--spin", "--busy-poll"] {
        let r = run(
            env!("CARGO_BIN_EXE_xsk-echo"),
            &["--requests", "30", "--duration", "8", mode],
        );
        r.ok().sandbox_removed();
        assert!(
            r.stdout.contains("30 of 30 requests answered correctly"),
            "{mode}: {}",
            r.stdout
        );
    }
    let r = run(env!("CARGO_BIN_EXE_xsk-echo"), &["--poll", "--spin"]);
    assert_eq!(r.code, Some(2), "--poll with --spin is a usage error");
    for pair in [["--busy-poll", "--poll"], ["--busy-poll", "--spin"]] {
        let r = run(env!("CARGO_BIN_EXE_xsk-echo"), &pair);
        assert_eq!(r.code, Some(2), "{pair:?} is a usage error");
    }
}

/// Bursts of 64 requests sent back to back are answered in full in every idle mode: in copy
/// mode one TX kick sends at most 32 frames, and the server must kick again while the kernel
/// has not taken all it queued (before, in `--busy-poll`, `--spin` and the nap mode, a burst's
/// tail waited in the TX ring for the next request: 32 of 1,280 answered). Sleeping, a round
/// leaves at most 32 answers to the wait to send (the kernel's budget of one poll) and kicks
/// the rest itself, with either wait (`--wait epoll|poll`) or with the kick before every wait.
/// Bursts are load for `--spin-before-sleep` (rounds close together): 25 µs kicks and
/// watches the rings between them, `0` (the default) leaves every send to the wait, and a
/// long watch (1,000 µs) takes each burst's tail awake.
fn echo_answers_bursts_in_every_mode() {
    let _one = ONE_AT_A_TIME.lock().unwrap_or_else(|e| e.into_inner());
    let modes: [&[&str]; 9] = [
        &["--busy-poll"],
        &["--spin"],
        &["--poll"],
        &["--poll", "--spin-before-sleep", "25"],
        &["--poll", "--spin-before-sleep", "1000"],
        &["--poll", "--wait", "poll"],
        &["--poll", "--wait", "poll", "--spin-before-sleep", "25"],
        &["--poll", "--kick-before-wait"],
        &[],
    ];
    for mode in modes {
        for burst in ["64", "20"] {
            let mut args = vec!["--requests", "640", "--burst", burst, "--duration", "20"];
            args.extend_from_slice(mode);
            let r = run(env!("CARGO_BIN_EXE_xsk-echo"), &args);
            r.ok().sandbox_removed();
            assert!(
                r.stdout.contains("640 of 640 requests answered correctly"),
                "{mode:?} --burst {burst}: {}",
                r.stdout
            );
        }
    }
    for bad in ["0", "257"] {
        let r = run(env!("CARGO_BIN_EXE_xsk-echo"), &["--burst", bad]);
        assert_eq!(r.code, Some(2), "--burst {bad} is a usage error");
    }
    let r = run(
        env!("CARGO_BIN_EXE_xsk-echo"),
        &["--poll", "--wait", "select"],
    );
    assert_eq!(r.code, Some(2), "--wait select is a usage error");
    let r = run(
        env!("CARGO_BIN_EXE_xsk-echo"),
        &["--poll", "--spin-before-sleep", "1001"],
    );
    assert_eq!(
        r.code,
        Some(2),
        "--spin-before-sleep above 1000 is a usage error"
    );
}

/// On an interface (`--iface`, the latency benchmark's way: a UMEM of `--frames` frames, every
/// one on a fill ring as large, as the C reference sets it up) the echo answers every request
/// of an ordinary UDP client in the far namespace, and stops at `--count`. `--frames` must be a
/// power of two from 64 to 65,536.
fn echo_on_an_interface_answers_every_request() {
    use std::net::{SocketAddr, UdpSocket};
    use std::time::Duration;
    let _one = ONE_AT_A_TIME.lock().unwrap_or_else(|e| e.into_inner());
    for frames in ["4096", "256"] {
        let sb = xsk_examples::sandbox::Sandbox::new("echoif", 1).expect("sandbox");
        let (left, right) = (sb.pair.left.ipv4, sb.pair.right.ipv4);
        let server = std::process::Command::new("ip")
            .args(["netns", "exec", sb.pair.left.ns.name()])
            .args([
                env!("CARGO_BIN_EXE_xsk-echo"),
                "--iface",
                &sb.pair.left.name,
            ])
            .args([
                "--queue",
                "0",
                "--poll",
                "--duration",
                "20",
                "--count",
                "20",
            ])
            .args(["--frames", frames])
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .expect("starting xsk-echo --iface");
        let answered = sb
            .pair
            .right
            .ns
            .spawn(move || {
                let s = UdpSocket::bind((right, 0)).expect("bind");
                s.set_read_timeout(Some(Duration::from_millis(300)))
                    .unwrap();
                let to = SocketAddr::from((left, 7777));
                let mut buf = [0u8; 256];
                let mut ok = 0;
                // The server needs a moment to attach: a request without an answer is resent
                // (at most 100 tries in all).
                let mut tries = 0;
                while ok < 20 && tries < 100 {
                    tries += 1;
                    let msg = format!("request {ok} of frames");
                    s.send_to(msg.as_bytes(), to).expect("send");
                    if let Ok((n, from)) = s.recv_from(&mut buf) {
                        if from == to && &buf[..n] == msg.as_bytes() {
                            ok += 1;
                        }
                    }
                }
                ok
            })
            .join()
            .expect("the client thread");
        let out = server.wait_with_output().expect("xsk-echo --iface");
        let stdout = String::from_utf8_lossy(&out.stdout);
        println!(
            "--frames {frames}:\n{stdout}{}",
            String::from_utf8_lossy(&out.stderr)
        );
        sb.remove();
        assert_eq!(
            answered, 20,
            "--frames {frames}: answers that came back right"
        );
        assert_eq!(out.status.code(), Some(0), "--frames {frames}");
        assert!(stdout.contains("answered 20 packets"), "{stdout}");
    }
    for bad in ["100", "32", "131072"] {
        let r = run(env!("CARGO_BIN_EXE_xsk-echo"), &["--frames", bad]);
        assert_eq!(r.code, Some(2), "--frames {bad} is a usage error");
    }
}

/// bench-ringbuf reads every event its program wrote, in order (it exits non-zero
/// otherwise), and every run either wrote an event or found the ring full.
fn ringbuf_bench_reads_every_event() {
    let r = run(
        env!("CARGO_BIN_EXE_bench-ringbuf"),
        &["--events", "20000", "--repeat", "500"],
    );
    r.ok();
    assert_eq!(
        r.result_num("events") + r.result_num("full"),
        20000.0,
        "{}",
        r.stdout
    );
    assert!(r.result_num("events") > 0.0, "{}", r.stdout);
}

fn bench(bin: &str) -> Run {
    bench_with(bin, &[])
}

fn bench_with(bin: &str, extra: &[&str]) -> Run {
    let _one = ONE_AT_A_TIME.lock().unwrap_or_else(|e| e.into_inner());
    let mut args = vec!["--duration", "1", "--warmup", "0.2", "--batch", "32"];
    args.extend_from_slice(extra);
    let r = run(bin, &args);
    r.ok().sandbox_removed();
    // The receiving modes' sandboxes feed the left end with the generator (txonly's sends
    // itself): its engine is the one this kernel's probe allows.
    if !bin.ends_with("xsk-txonly") {
        r.engine("(engine: ");
    }
    assert!(r.result_num("pps") > 0.0);
    assert!(r.result_num("pkts") > 0.0);
    assert!(r.result_num("total_pkts") >= r.result_num("pkts"));
    assert!(r.result_num("cpu_ns_per_pkt") > 0.0);
    r
}

/// On a kernel that withholds `bpf_xdp_adjust_meta` (#54) from XDP programs (the probe says
/// so, not the version), xsk-rxmeta stops before it makes anything, with the typed error that
/// names the helper and what still works; elsewhere it prints a stable hash per flow.
fn rxmeta_prints_a_stable_hash_per_flow() {
    let withheld = xsk_runtime::features::unavailable_helpers(ebpf_dsl::ProgramType::Xdp)
        .expect("probe the helpers the kernel withholds from XDP programs")
        .contains(&54);
    let r = run(env!("CARGO_BIN_EXE_xsk-rxmeta"), &["--count", "6"]);
    if withheld {
        println!(
            "branch: the running kernel withholds bpf_xdp_adjust_meta (#54) from XDP programs: \
             checking xsk-rxmeta's typed error"
        );
        let err = xsk_runtime::xsk::metadata::check_rx_metadata_support(
            "xsk-rxmeta (the RX hash and timestamp in front of each packet)",
        )
        .expect_err("the probe says the kernel withholds the helper");
        assert!(
            matches!(
                err,
                xsk_runtime::Error::HelperUnavailable { helper: 54, .. }
            ),
            "{err:?}"
        );
        assert_eq!(r.code, Some(1), "exit status; stderr:\n{}", r.stderr);
        // The last line (a run may first say which stale sandboxes it removed).
        assert_eq!(
            r.stderr.lines().last(),
            Some(format!("xsk-rxmeta: error: RX metadata to AF_XDP: {err}").as_str()),
        );
        assert!(
            r.stderr
                .contains("needs bpf_xdp_adjust_meta (helper #54), which the running kernel withholds from xdp programs"),
            "{}",
            r.stderr
        );
        assert!(
            r.stderr
                .contains(xsk_runtime::xsk::metadata::HINT_NO_ADJUST_META),
            "{}",
            r.stderr
        );
        // Nothing was made: no sandbox, no packets.
        assert!(r.stdout.is_empty(), "{}", r.stdout);
        return;
    }
    // The RX metadata kfuncs (6.3): where the kernel's BTF lacks them, xsk-rxmeta's program
    // cannot load, and it says which kfunc is missing.
    let kfuncs = xsk_runtime::bpf::kfunc::vmlinux_kfunc_ids().expect("the kernel's kfunc ids");
    let missing: Vec<&str> = ["bpf_xdp_metadata_rx_timestamp", "bpf_xdp_metadata_rx_hash"]
        .into_iter()
        .filter(|k| !kfuncs.contains_key(k))
        .collect();
    if !missing.is_empty() {
        println!(
            "branch: the running kernel lacks the RX metadata kfuncs {missing:?}: checking \
             xsk-rxmeta's error"
        );
        assert_eq!(r.code, Some(1), "exit status; stderr:\n{}", r.stderr);
        let last = r.stderr.lines().last().unwrap_or_default();
        assert!(
            last.starts_with("xsk-rxmeta: error: ")
                && missing
                    .iter()
                    .any(|k| last.contains(&format!("calls `{k}`")))
                && last.contains("which the running kernel does not have"),
            "{}",
            r.stderr
        );
        assert!(r.stdout.is_empty(), "{}", r.stdout);
        r.sandbox_removed();
        return;
    }
    println!(
        "branch: the running kernel offers bpf_xdp_adjust_meta to XDP programs: checking the \
         hashes xsk-rxmeta prints"
    );
    r.ok().sandbox_removed();
    let mut by_flow = std::collections::BTreeMap::<String, Vec<String>>::new();
    for line in r.stdout.lines().filter(|l| l.contains(" hash=")) {
        let flow = line.split(" -> ").next().unwrap_or_default().to_string();
        let hash = line.split("hash=").nth(1).unwrap_or_default();
        by_flow
            .entry(flow)
            .or_default()
            .push(hash.split(' ').next().unwrap_or_default().to_string());
    }
    assert_eq!(by_flow.len(), 2, "two flows: {}", r.stdout);
    for hashes in by_flow.values() {
        assert_eq!(hashes.len(), 3, "{}", r.stdout);
        assert!(
            hashes[0].starts_with("0x") && hashes[0] != "0x00000000",
            "{}",
            r.stdout
        );
        assert!(hashes.iter().all(|h| *h == hashes[0]), "{}", r.stdout);
    }
    assert!(r.stdout.contains("6 packets with their RX metadata"));
}

fn rxdrop_receives() {
    let r = bench(env!("CARGO_BIN_EXE_xsk-rxdrop"));
    assert!(r.stdout.contains("RESULT impl=rust mode=rxdrop "));
    // Every frame the program received came through the left end, which got no more than
    // the generator sent (the rest dropped by the counted full ring). The generator stops
    // before the program detaches, so no frame reaches the left end's stack (which would
    // answer on the veth).
    let (right, left) = (r.counters("right"), r.counters("left"));
    let sent = r.sandbox_num("sandbox: the generator sent ");
    let received = r.result_num("total_pkts") as u64;
    assert!(
        received > 0 && received <= right.tx_packets,
        "{received} {right:?}"
    );
    assert!(
        right.tx_packets + right.tx_dropped <= sent,
        "{sent} {right:?}"
    );
    assert_eq!(
        left.rx_packets, right.tx_packets,
        "both ends count the same frames"
    );
}

fn txonly_sends_and_the_far_end_counts_it() {
    let r = bench(env!("CARGO_BIN_EXE_xsk-txonly"));
    assert!(r.stdout.contains("RESULT impl=rust mode=txonly "));
    let counted: u64 = r
        .stderr
        .lines()
        .find_map(|l| {
            l.strip_prefix("sandbox: the sink on the right end counted ")
                .and_then(|t| t.split_whitespace().next())
                .and_then(|n| n.parse().ok())
        })
        .expect("the sink's count");
    assert!(
        counted as f64 >= r.result_num("total_pkts"),
        "every completed frame arrived"
    );
    // The sink saw every frame that reached the right end: each one the left end sent (a
    // frame dropped on a full ring is counted in the left end's tx_dropped instead).
    let (right, left) = (r.counters("right"), r.counters("left"));
    assert_eq!(counted, right.rx_packets, "{right:?}");
    assert_eq!(counted, left.tx_packets, "{left:?}");
}

fn l2fwd_forwards_back() {
    let r = bench(env!("CARGO_BIN_EXE_xsk-l2fwd"));
    assert!(r.stdout.contains("RESULT impl=rust mode=l2fwd "));
    assert!(r
        .stderr
        .contains("sandbox: the sink on the right end counted "));
    // l2fwd drains its TX ring before it closes: everything it forwarded was sent, and the
    // far end's sink counted each frame that was not dropped on the way (a full ring, counted
    // by the left end).
    let forwarded = r.result_num("total_pkts") as u64;
    assert!(forwarded > 0, "l2fwd forwarded nothing");
    assert!(
        r.stdout.contains(&format!(
            "xsk-l2fwd: forwarded {forwarded} frames, {forwarded} of them completed"
        )),
        "{}",
        r.stdout
    );
    let counted = r.sandbox_num("sandbox: the sink on the right end counted ");
    let (right, left) = (r.counters("right"), r.counters("left"));
    assert_eq!(counted + left.tx_dropped, forwarded, "{left:?}");
    assert_eq!(counted, right.rx_packets, "{right:?}");
    // What it forwarded it had received from the left end; frames its socket had no room
    // for are counted there as dropped.
    assert!(forwarded + left.rx_dropped <= left.rx_packets, "{left:?}");
    let sent = r.sandbox_num("sandbox: the generator sent ");
    assert!(
        right.tx_packets + right.tx_dropped <= sent,
        "{sent} {right:?}"
    );
}

/// `--queues 1 --cpus 1`: the one queue runs as a `Workers` thread (the scaling benchmark's
/// path); rxdrop receives, l2fwd forwards back what the far end's sink counts, every frame
/// completed before the socket closed. `--queues 2` needs `--iface` (a usage error).
fn rxdrop_and_l2fwd_as_workers() {
    let r = bench_with(
        env!("CARGO_BIN_EXE_xsk-rxdrop"),
        &["--queues", "1", "--cpus", "1"],
    );
    assert!(r.stdout.contains("one worker per queue"), "{}", r.stdout);
    assert!(r.stdout.contains("RESULT impl=rust mode=rxdrop "));
    assert!(
        r.stderr.contains("rxdrop: queue 0 (CPU 1): rx "),
        "{}",
        r.stderr
    );
    let (right, left) = (r.counters("right"), r.counters("left"));
    let received = r.result_num("total_pkts") as u64;
    assert!(
        received > 0 && received <= right.tx_packets,
        "{received} {right:?}"
    );
    assert_eq!(left.rx_packets, right.tx_packets);

    let r = bench_with(
        env!("CARGO_BIN_EXE_xsk-l2fwd"),
        &["--queues", "1", "--cpus", "1"],
    );
    assert!(r.stdout.contains("RESULT impl=rust mode=l2fwd "));
    let forwarded = r.result_num("total_pkts") as u64;
    assert!(forwarded > 0, "l2fwd forwarded nothing");
    let counted = r.sandbox_num("sandbox: the sink on the right end counted ");
    let (right, left) = (r.counters("right"), r.counters("left"));
    assert_eq!(counted + left.tx_dropped, forwarded, "{left:?}");
    assert_eq!(counted, right.rx_packets, "{right:?}");

    let r = run(env!("CARGO_BIN_EXE_xsk-rxdrop"), &["--queues", "2"]);
    assert_eq!(r.code, Some(2), "{}", r.stderr);
    assert!(r.stderr.contains("--queues needs --iface"), "{}", r.stderr);
    let r = run(
        env!("CARGO_BIN_EXE_xsk-l2fwd"),
        &["--queues", "1", "--cpus", "0,1"],
    );
    assert_eq!(r.code, Some(2), "{}", r.stderr);
}

fn pktgen_sends_exactly_the_count_and_they_arrive() {
    let _one = ONE_AT_A_TIME.lock().unwrap_or_else(|e| e.into_inner());
    let r = run(
        env!("CARGO_BIN_EXE_xsk-pktgen"),
        &["--count", "200000", "--queues", "2", "--duration", "8"],
    );
    r.ok().sandbox_removed();
    r.engine("xsk-pktgen: engine: ");
    assert_eq!(r.result_num("pkts"), 200000.0, "a count bound is exact");
    // XDP_TX into a veth whose far ring is full drops frames, so the sink sees at most all.
    let received = pktgen_received(&r);
    assert!(received > 0 && received <= 200000, "{received}");
    pktgen_accounts_for_every_frame(&r, 200_000);
    // The AF_PACKET engine asked for by name (where live frames run, the probe never picks
    // it): the same exact count and accounting.
    let r = run(
        env!("CARGO_BIN_EXE_xsk-pktgen"),
        &[
            "--engine",
            "af-packet",
            "--count",
            "100000",
            "--queues",
            "2",
            "--duration",
            "8",
        ],
    );
    r.ok().sandbox_removed();
    assert!(
        r.stdout.contains("xsk-pktgen: engine: AF_PACKET\n"),
        "{}",
        r.stdout
    );
    assert_eq!(r.result_num("pkts"), 100000.0, "a count bound is exact");
    pktgen_accounts_for_every_frame(&r, 100_000);
    // Live frames asked for by name: they run where the probe says so, and elsewhere fail
    // with the kernel's refusal and its hint.
    let r = run(
        env!("CARGO_BIN_EXE_xsk-pktgen"),
        &["--engine", "live", "--count", "1000", "--duration", "8"],
    );
    if live_frames_here() {
        r.ok().sandbox_removed();
        assert_eq!(r.result_num("pkts"), 1000.0);
        pktgen_accounts_for_every_frame(&r, 1000);
    } else {
        println!("live frames refused here: checking the error of --engine live");
        assert_eq!(r.code, Some(1), "{}", r.stderr);
        assert!(
            r.stderr.contains("live frames asked for on ifindex ")
                && r.stderr.contains("BPF_PROG_TEST_RUN(LIVE_FRAMES) failed")
                && r.stderr.contains("hint: live frames need"),
            "{}",
            r.stderr
        );
        assert!(!r.stdout.contains("RESULT "), "{}", r.stdout);
        r.namespaces_gone();
    }
}

/// Every frame an `xsk-pktgen` sandbox run sent reached the sink or was dropped by the veth
/// on a full ring (which the sending end counts as `tx_dropped`): nothing else loses frames.
fn pktgen_accounts_for_every_frame(r: &Run, sent: u64) {
    let received = pktgen_received(r);
    let right = r.counters("right");
    assert_eq!(
        received, right.tx_packets,
        "the sink saw each delivered frame"
    );
    assert_eq!(received + right.tx_dropped, sent, "{right:?}");
}

/// The sink's count in an `xsk-pktgen` sandbox run (the last `received=` tick or the summary).
fn pktgen_received(r: &Run) -> u64 {
    r.stdout
        .lines()
        .find_map(|l| {
            l.split_once(" received ")
                .and_then(|(_, t)| t.split_whitespace().next())
                .and_then(|n| n.parse().ok())
        })
        .expect("the sink's count")
}

fn pktgen_paces_to_the_rate() {
    let _one = ONE_AT_A_TIME.lock().unwrap_or_else(|e| e.into_inner());
    // 20 000 frames/s for 2 s: the program paces itself inside one long live-frames call (the
    // AF_PACKET engine: the thread, in user space, by the same rules).
    // A correctness bound on the pacing (no frame before its time, few lost), not a speed test:
    // `--burst 4000` lets the program catch up after its thread was descheduled for up to
    // 200 ms, so a busy machine (CI, 2 cores) does not lose frames to the scheduler.
    let r = run(
        env!("CARGO_BIN_EXE_xsk-pktgen"),
        &["--rate", "20000", "--duration", "2", "--burst", "4000"],
    );
    r.ok().sandbox_removed();
    r.engine("xsk-pktgen: engine: ");
    // No frame before its time: each thread sends at most one frame per interval after its
    // first (RESULT's secs is rounded to 1 ms). How many it manages is speed: benchmarks.
    let sent = r.result_num("pkts") as u64;
    let bound = (20_000.0 * (r.result_num("secs") + 0.001)) as u64 + 1;
    assert!(sent > 0 && sent <= bound, "{sent} frames, at most {bound}");
    pktgen_accounts_for_every_frame(&r, sent);
    // Paced with a count: the program stops at exactly the count, split over two threads.
    let r = run(
        env!("CARGO_BIN_EXE_xsk-pktgen"),
        &[
            "--rate",
            "20000",
            "--count",
            "5001",
            "--queues",
            "2",
            "--duration",
            "8",
        ],
    );
    r.ok().sandbox_removed();
    r.engine("xsk-pktgen: engine: ");
    assert_eq!(
        r.result_num("pkts"),
        5001.0,
        "a count bound is exact when paced"
    );
    let received = pktgen_received(&r);
    assert!(received > 0 && received <= 5001, "{received}");
    pktgen_accounts_for_every_frame(&r, 5001);
}

/// `xsk-demo --multiprog`: xdp-filter (xdp-tools) and our AF_XDP program on one interface
/// through libxdp's dispatcher. Where the kernel refuses freplace programs (which the
/// dispatcher needs), the demo must say so clearly and still clean up.
fn demo_multiprog_runs_beside_xdp_filter() {
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

kernel_tests! {
    privileged: [
        not_root_is_a_clear_error,
        demo_proves_udp_to_user_space_and_the_rest_to_the_stack,
        demo_multiprog_runs_beside_xdp_filter,
        demo_cleans_up_on_ctrl_c,
        flowtop_proves_every_count,
        flowtop_port_and_sampling,
        flowtop_proof_fails_when_the_mix_is_cut_short,
        capture_writes_a_pcap_of_what_the_filter_selects,
        echo_answers_every_request,
        echo_poll_and_spin_answer_every_request,
        echo_answers_bursts_in_every_mode,
        echo_on_an_interface_answers_every_request,
        ringbuf_bench_reads_every_event,
        rxdrop_receives,
        rxmeta_prints_a_stable_hash_per_flow,
        txonly_sends_and_the_far_end_counts_it,
        l2fwd_forwards_back,
        rxdrop_and_l2fwd_as_workers,
        pktgen_sends_exactly_the_count_and_they_arrive,
        pktgen_paces_to_the_rate,
    ],
    plain: [every_example_has_help_and_rejects_bad_options],
}
