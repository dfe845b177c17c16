//! Sandboxes left behind by a process that could not clean up (SIGKILL, a crash, a power cut
//! of the test runner): finding them by name and removing them, never a live process's.
//!
//! Every namespace [`NetNs::new`](super::NetNs::new) creates is named
//! `xsk-TAG-pPIDtSTARTnCOUNTER`: the fixed prefix `xsk-`, the caller's tag, and the owner's
//! process id, its start time (field 22 of `/proc/PID/stat`, clock ticks since boot) and a
//! per-process counter. A namespace is stale when its owner is gone: no `/proc/PID`, a zombie,
//! or a process with that pid that started at another time (the pid was reused). The veth
//! pair of a sandbox lives inside its two namespaces and goes with them, and so does any XDP
//! program attached there (netlink attachments included).
//!
//! Assumes the processes that made the sandboxes share this process's pid namespace (as
//! every process that shares its `/run/netns` normally does).

use std::collections::BTreeMap;
use std::fmt;
use std::sync::OnceLock;

use xsk_runtime::Result;

/// The prefix of every namespace this crate creates.
pub const SANDBOX_PREFIX: &str = "xsk-";

/// Where `ip netns` keeps the named namespaces.
const NETNS_DIR: &str = "/run/netns";

/// The owner of a sandbox namespace, as its name records it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Owner {
    /// The owning process's id.
    pub pid: u32,
    /// Its start time (clock ticks since boot, `/proc/PID/stat` field 22).
    pub start: u64,
}

/// The start time of process `pid` (field 22 of `/proc/PID/stat`), or `None` if there is no
/// such process or it is a zombie (dead, not yet reaped).
pub(crate) fn start_time(pid: u32) -> Option<u64> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    // The command name (field 2) is in parentheses and may contain anything: skip past it.
    let rest = &stat[stat.rfind(')')? + 1..];
    let mut fields = rest.split_whitespace();
    // Field 3: the state. Z (zombie) and X (dead) hold nothing any more.
    if matches!(fields.next(), Some("Z" | "X" | "x")) {
        return None;
    }
    // Fields 4..: starttime is field 22, the 19th after the state.
    fields.nth(18)?.parse().ok()
}

/// This process's pid and start time.
pub(crate) fn me() -> Owner {
    static ME: OnceLock<Owner> = OnceLock::new();
    *ME.get_or_init(|| {
        let pid = std::process::id();
        Owner {
            pid,
            start: start_time(pid).unwrap_or(0),
        }
    })
}

/// The owner recorded in a namespace name made by this crate, or `None` if the name is not
/// one of ours.
pub fn sandbox_owner(name: &str) -> Option<Owner> {
    if !name.starts_with(SANDBOX_PREFIX) {
        return None;
    }
    let last = name.rsplit('-').next()?;
    let rest = last.strip_prefix('p')?;
    let (pid, rest) = rest.split_once('t')?;
    let (start, counter) = rest.split_once('n')?;
    let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    if !(digits(pid) && digits(start) && digits(counter)) {
        return None;
    }
    Some(Owner {
        pid: pid.parse().ok()?,
        start: start.parse().ok()?,
    })
}

/// True if `owner` is still running (same pid, same start time, not a zombie).
pub fn owner_alive(owner: Owner) -> bool {
    start_time(owner.pid) == Some(owner.start)
}

/// What [`remove_stale_sandboxes`] did.
#[derive(Debug, Default)]
pub struct StaleSandboxes {
    /// The namespaces removed, by the pid of their dead owner.
    pub removed: BTreeMap<u32, Vec<String>>,
    /// Stale namespaces that could not be removed (another process may have removed them
    /// first), with the error.
    pub failed: Vec<(String, String)>,
}

impl StaleSandboxes {
    /// Namespaces removed.
    pub fn count(&self) -> usize {
        self.removed.values().map(Vec::len).sum()
    }

    /// True if nothing was removed and nothing failed.
    pub fn is_empty(&self) -> bool {
        self.removed.is_empty() && self.failed.is_empty()
    }
}

impl fmt::Display for StaleSandboxes {
    /// One line: `removed 2 stale sandbox namespaces of dead pid 1234 (NAME, NAME)`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let pids: Vec<String> = self.removed.keys().map(u32::to_string).collect();
        let names: Vec<&str> = self
            .removed
            .values()
            .flatten()
            .map(String::as_str)
            .collect();
        let n = self.count();
        write!(
            f,
            "removed {n} stale sandbox namespace{} of dead pid{} {} ({})",
            if n == 1 { "" } else { "s" },
            if pids.len() == 1 { "" } else { "s" },
            pids.join(", "),
            names.join(", ")
        )?;
        if !self.failed.is_empty() {
            let failed: Vec<String> = self
                .failed
                .iter()
                .map(|(name, e)| format!("{name}: {e}"))
                .collect();
            write!(f, "; could not remove {}", failed.join("; "))?;
        }
        Ok(())
    }
}

/// Removes the sandbox namespaces (`xsk-…`, see the module docs) whose owning process is
/// gone, and with them their veth pairs and whatever was attached there. Never touches a
/// namespace whose name is not ours or whose owner still runs. Needs root.
pub fn remove_stale_sandboxes() -> Result<StaleSandboxes> {
    let mut out = StaleSandboxes::default();
    // Without a readable /proc nobody can tell a live owner from a dead one: remove nothing.
    if me().start == 0 {
        return Ok(out);
    }
    let entries = match std::fs::read_dir(NETNS_DIR) {
        Ok(e) => e,
        // No named namespace was ever made: nothing is stale.
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(out),
        Err(e) => {
            return Err(xsk_runtime::Error::io_hint(
                "readdir(/run/netns)",
                e.raw_os_error().unwrap_or(libc::EIO),
                "could not list the named network namespaces",
            ))
        }
    };
    let mut names: Vec<String> = entries
        .filter_map(|e| e.ok())
        .filter_map(|e| e.file_name().into_string().ok())
        .collect();
    names.sort();
    for name in names {
        let Some(owner) = sandbox_owner(&name) else {
            continue;
        };
        // Start time 0: the owner could not read its own (no /proc); it cannot be judged.
        if owner.start == 0 || owner == me() || owner_alive(owner) {
            continue;
        }
        match super::ip(&["netns", "del", &name]) {
            Ok(_) => out.removed.entry(owner.pid).or_default().push(name),
            // Removed meanwhile by another process cleaning up: not ours to report.
            Err(_) if !std::path::Path::new(NETNS_DIR).join(&name).exists() => {}
            Err(e) => out.failed.push((name, e.to_string())),
        }
    }
    Ok(out)
}

/// Runs [`remove_stale_sandboxes`] once per process and prints its one line to stderr if it
/// removed anything (errors are printed, never returned: cleaning up after others must not
/// stop this process's own work).
pub fn remove_stale_sandboxes_once() {
    static DONE: OnceLock<()> = OnceLock::new();
    DONE.get_or_init(|| match remove_stale_sandboxes() {
        Ok(r) if r.is_empty() => {}
        Ok(r) => eprintln!("xsk-runtime: {r}"),
        Err(e) => eprintln!("xsk-runtime: could not look for stale sandboxes: {e}"),
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_carry_their_owner() {
        assert_eq!(
            sandbox_owner("xsk-demo-l-p1234t5678n0"),
            Some(Owner {
                pid: 1234,
                start: 5678
            })
        );
        for not_ours in [
            "xsk-demo-l-p1234t5678",
            "other-p1234t5678n0",
            "xsk-demo-l-p12x4t5678n0",
            "xsk-demo-l-pt5678n0",
            "xsk-veth-l-4d2n0",
            "xsk-",
        ] {
            assert_eq!(sandbox_owner(not_ours), None, "{not_ours}");
        }
        let me = me();
        assert!(me.start > 0, "read /proc/self/stat");
        assert!(owner_alive(me));
        assert!(!owner_alive(Owner {
            start: me.start + 1,
            ..me
        }));
    }
}
