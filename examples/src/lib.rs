//! Shared code of the runnable examples (argument parsing, sandbox networks, reporting).
#![deny(missing_docs)]

pub mod cli;
pub mod error;
pub mod packet;
pub mod programs;
pub mod report;
pub mod signals;

pub use error::{Context, Error, Result};
pub mod livegen;
pub mod sandbox;

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

/// Fails with [`Error::NotRoot`] unless the effective user is root.
pub fn require_root(program: &str) -> Result<()> {
    if xsk_runtime::netns::is_root() {
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
    if let Some((rx, _, combined)) = xsk_runtime::sys::xdp::channel_counts(name) {
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

/// Parses a MAC option value.
pub fn mac_arg(args: &cli::Args, name: &str) -> Result<Option<[u8; 6]>> {
    match args.str(name) {
        None => Ok(None),
        Some(s) => packet::parse_mac(s).map(Some).ok_or_else(|| {
            Error::Usage(format!(
                "--{name}: `{s}` is not a MAC address like 02:00:00:00:00:01"
            ))
        }),
    }
}
pub mod afxdp;
pub mod bench;
pub mod pcap;
