//! Shared code of the runnable examples in `src/bin/` (see the README's "Examples" section).
//!
//! | module | what |
//! |---|---|
//! | [`args`] | command lines with `clap` (derive): `--help`, usage errors, value parsers |
//! | [`error`] | the one error type: what failed, the errno, what to do (e.g. "needs root") |
//! | [`programs`] | the XDP programs: `defmap!`/`defprogram!` items and builder-made ones |
//! | [`afxdp`] | the guides' AF_XDP setup step by step (UMEM, socket per queue, XSKMAP, attach) |
//! | [`sandbox`] | two network namespaces joined by a veth pair, and a counting drop sink |
//! | [`linkstats`] | the veth ends' kernel counters (`ip -s link`): drops a run must account for |
//! | [`livegen`] | the packet generator: `BPF_PROG_TEST_RUN` live frames, or AF_PACKET where the kernel refuses them |
//! | [`bench`](mod@bench) | options, sandbox and clock shared by `xsk-rxdrop`, `xsk-txonly`, `xsk-l2fwd` |
//! | [`multiqueue`] | `--queues N` of `xsk-rxdrop` / `xsk-l2fwd`: one `Workers` thread per queue, summed `RESULT` |
//! | [`packet`] | building, parsing and rewriting Ethernet/IPv4/UDP frames; checksums |
//! | [`pcap`] | classic pcap files, written and read |
//! | [`pcapng`] | pcapng files with per-packet nanosecond timestamps and comments, written and read |
//! | [`report`] | CPU time (`getrusage`), rates, the benchmark's `RESULT` line |
//! | [`histogram`] | a fixed-size log-linear histogram of round-trip times (p50/p99/p99.9) |
//! | [`signals`] | SIGINT/SIGTERM as a flag, so every example cleans up on Ctrl-C |
//!
//! The examples contain no `unsafe`: signals go through `signal-hook`, `getrusage`,
//! `pthread_kill` and CPU pinning through `nix`, everything else through `xsk-runtime`.
#![deny(missing_docs)]
#![forbid(unsafe_code)]

pub mod afxdp;
pub mod args;
pub mod bench;
pub mod error;
pub mod histogram;
pub mod linkstats;
pub mod livegen;
pub mod multiqueue;
pub mod packet;
pub mod pcap;
pub mod pcapng;
pub mod programs;
pub mod report;
pub mod sandbox;
pub mod signals;

pub use error::{Context, Error, Result};

use std::process::ExitCode;

/// Runs an example's `main`: prints `--help` (exit 0), a usage error (exit 2), or any other
/// error with its hint (exit 1).
pub fn run_main(name: &str, body: impl FnOnce() -> Result<()>) -> ExitCode {
    match body() {
        Ok(()) => ExitCode::SUCCESS,
        Err(Error::Help(text)) => {
            print!("{text}");
            ExitCode::SUCCESS
        }
        Err(e @ Error::Usage(_)) => {
            eprintln!("{name}: {e}");
            ExitCode::from(2)
        }
        Err(e) => {
            eprintln!("{name}: error: {e}");
            ExitCode::FAILURE
        }
    }
}

/// Fails with [`Error::NotRoot`] unless the effective user is root. As root, first removes
/// the sandboxes of examples and tests that were killed before they could (SIGKILL), saying
/// so in one line ([`xsk_testkit::netns::remove_stale_sandboxes`]): every run of every example
/// cleans up after the ones that could not.
pub fn require_root(program: &str) -> Result<()> {
    if xsk_testkit::netns::is_root() {
        xsk_testkit::netns::remove_stale_sandboxes_once();
        Ok(())
    } else {
        Err(Error::NotRoot {
            program: program.to_owned(),
        })
    }
}

/// The MAC address of interface `name` as sysfs shows it (in the calling process's view).
pub fn iface_mac(name: &str) -> Option<[u8; 6]> {
    if name.contains('/') {
        return None;
    }
    let s = std::fs::read_to_string(format!("/sys/class/net/{name}/address")).ok()?;
    packet::parse_mac(s.trim())
}

/// The RX queue count of interface `name` (`ethtool -l`, else the `rx-N` entries of sysfs,
/// else 1).
pub fn iface_rx_queues(name: &str) -> u32 {
    if let Some((rx, _, combined)) = xsk_runtime::os::channel_counts(name) {
        let n = rx.max(combined);
        if n > 0 {
            return n;
        }
    }
    std::fs::read_dir(format!("/sys/class/net/{name}/queues"))
        .map(|d| {
            d.filter_map(|e| e.ok())
                .filter(|e| e.file_name().to_string_lossy().starts_with("rx-"))
                .count() as u32
        })
        .unwrap_or(1)
        .max(1)
}
