//! What every test of the examples shares: running an example binary and reading what it
//! printed (exit status, `RESULT` line, the sandbox's counters), the lock that runs them one
//! at a time, and the live-frames probe.

use std::process::{Command, Output};
use std::sync::Mutex;

use xsk_examples::linkstats::LinkStats;

pub static ONE_AT_A_TIME: Mutex<()> = Mutex::new(());

pub struct Run {
    pub code: Option<i32>,
    pub stdout: String,
    pub stderr: String,
}

pub fn run(bin: &str, args: &[&str]) -> Run {
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
    pub fn ok(&self) -> &Self {
        assert_eq!(self.code, Some(0), "exit status; stderr:\n{}", self.stderr);
        self
    }

    /// The sandbox the run made is gone: its namespaces are no longer listed.
    pub fn sandbox_removed(&self) -> &Self {
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
    pub fn namespaces_gone(&self) -> &Self {
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
    pub fn result(&self) -> Vec<(String, String)> {
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
    pub fn sandbox_num(&self, prefix: &str) -> u64 {
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
    pub fn counters(&self, side: &str) -> LinkStats {
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
    pub fn engine(&self, prefix: &str) -> String {
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

    pub fn result_num(&self, key: &str) -> f64 {
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
pub fn live_frames_here() -> bool {
    static LIVE: std::sync::OnceLock<bool> = std::sync::OnceLock::new();
    *LIVE.get_or_init(|| {
        xsk_runtime::features::Features::probe()
            .live_frames
            .available
    })
}

pub const ALL: [&str; 8] = [
    env!("CARGO_BIN_EXE_xsk-demo"),
    env!("CARGO_BIN_EXE_xsk-flowtop"),
    env!("CARGO_BIN_EXE_xsk-rxdrop"),
    env!("CARGO_BIN_EXE_xsk-txonly"),
    env!("CARGO_BIN_EXE_xsk-l2fwd"),
    env!("CARGO_BIN_EXE_xsk-echo"),
    env!("CARGO_BIN_EXE_xsk-capture"),
    env!("CARGO_BIN_EXE_xsk-pktgen"),
];
