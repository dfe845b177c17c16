//! libxdp's multi-program protocol (xdp-tools `lib/libxdp/protocol.org`, dispatcher version 2),
//! in Rust: several XDP programs on one interface, in priority order, interoperating with
//! `xdp-loader`, `xdp-filter` and every other libxdp user.
//!
//! - The **dispatcher** ([`dispatcher`]) is an XDP program named `xdp_dispatcher` with ten
//!   slot functions `prog0`..`prog9`; its configuration ([`config::DispatcherConfig`]: magic,
//!   version, number of slots in use, frags, and per slot the chain-call actions, run priority
//!   and program flags) is the one value of a frozen read-only array map.
//! - Each **component** is loaded as an freplace program (`BPF_PROG_TYPE_EXT`) whose
//!   `attach_btf_id` is its slot's BTF function id and `attach_prog_fd` the dispatcher, then
//!   linked there with `BPF_LINK_CREATE`. Its chain-call actions say which of its return codes
//!   run the next slot (the others end the chain and are the packet's verdict).
//! - The links and programs are **pinned** under `<bpffs>/xdp/dispatch-<ifindex>-<id>/`
//!   ([`bpffs`]), under an `flock` on `<bpffs>/xdp`, so they outlive the process.
//! - **Adding or removing** a component builds a new dispatcher holding the new set (existing
//!   components re-linked from their pinned programs, sorted by priority), pins it, swaps it in
//!   atomically with netlink `XDP_FLAGS_REPLACE` + `IFLA_XDP_EXPECTED_FD`, and unpins the old
//!   one; a race with another writer (EEXIST) starts over. Removing the last component removes
//!   the dispatcher.
//!
//! [`XdpAttachment`](crate::bpf::attach::XdpAttachment) uses this with
//! [`AttachMethod::Multiprog`](crate::bpf::attach::AttachMethod::Multiprog); [`status`] reads
//! what is on an interface (as `xdp-loader status` shows it).
//!
//! The kernel must allow freplace programs (Linux 5.10 for re-linking; CAP_BPF, CAP_PERFMON,
//! CAP_NET_ADMIN; a security policy that lets extension programs load): [`probe`] says.

pub mod bpffs;
mod component;
pub mod config;
pub mod dispatcher;
mod ops;
pub mod run_config;

pub(crate) use component::Source;
pub use config::{DispatcherConfig, DISPATCHER_MAGIC, DISPATCHER_RETVAL, DISPATCHER_VERSION};
pub use dispatcher::{load_dispatcher, Dispatcher};
pub(crate) use ops::{attach_component, detach_component};
pub use ops::{probe, status, ComponentInfo, MultiprogStatus};
pub use run_config::run_config;

/// `XDP_ABORTED`.
pub const XDP_ABORTED: u32 = 0;
/// `XDP_DROP`.
pub const XDP_DROP: u32 = 1;
/// `XDP_PASS`.
pub const XDP_PASS: u32 = 2;
/// `XDP_TX`.
pub const XDP_TX: u32 = 3;
/// `XDP_REDIRECT`.
pub const XDP_REDIRECT: u32 = 4;

/// libxdp's default run priority.
pub const DEFAULT_PRIORITY: u32 = 50;

/// How a component joins a dispatcher.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct MultiprogOptions {
    /// Run priority: lower runs first (libxdp's default is 50; xdp-filter's is 10).
    pub priority: u32,
    /// Chain-call actions: bit `1 << action` set = that return code runs the next program
    /// (default: `XDP_PASS` only).
    pub chain_call_actions: u32,
}

impl Default for MultiprogOptions {
    fn default() -> Self {
        MultiprogOptions {
            priority: DEFAULT_PRIORITY,
            chain_call_actions: 1 << XDP_PASS,
        }
    }
}

impl MultiprogOptions {
    /// Priority `priority`, chain call on `XDP_PASS`.
    pub fn with_priority(priority: u32) -> MultiprogOptions {
        MultiprogOptions {
            priority,
            ..MultiprogOptions::default()
        }
    }

    /// Adds return code `action` (0..=4) to the chain-call actions.
    pub fn chain_on(mut self, action: u32) -> MultiprogOptions {
        if action < 31 {
            self.chain_call_actions |= 1 << action;
        }
        self
    }

    /// The chain-call bitmask for a list of action names (`XDP_PASS`, `pass`, `drop`, ...,
    /// comma-separated).
    pub fn actions_from_names(list: &str) -> crate::Result<u32> {
        let mut bits = 0;
        for w in list.split(',').map(str::trim).filter(|w| !w.is_empty()) {
            bits |= 1
                << action_by_name(w).ok_or_else(|| {
                    crate::Error::invalid(format!(
                        "unknown XDP action `{w}` (aborted, drop, pass, tx, redirect)"
                    ))
                })?;
        }
        Ok(bits)
    }
}

/// The number of an XDP action name (`XDP_DROP` or `drop`, any case).
pub fn action_by_name(name: &str) -> Option<u32> {
    let n = name.to_ascii_lowercase();
    let n = n.strip_prefix("xdp_").unwrap_or(&n);
    Some(match n {
        "aborted" => XDP_ABORTED,
        "drop" => XDP_DROP,
        "pass" => XDP_PASS,
        "tx" => XDP_TX,
        "redirect" => XDP_REDIRECT,
        _ => return None,
    })
}

/// The names of the actions in a chain-call bitmask, as `xdp-loader status` prints them.
pub fn action_names(bits: u32) -> Vec<&'static str> {
    [
        "XDP_ABORTED",
        "XDP_DROP",
        "XDP_PASS",
        "XDP_TX",
        "XDP_REDIRECT",
    ]
    .iter()
    .enumerate()
    .filter(|(i, _)| bits & (1 << i) != 0)
    .map(|(_, n)| *n)
    .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn options_and_action_names() {
        let o = MultiprogOptions::with_priority(5).chain_on(XDP_DROP);
        assert_eq!(o.chain_call_actions, 0b110);
        assert_eq!(action_names(o.chain_call_actions), ["XDP_DROP", "XDP_PASS"]);
        assert_eq!(
            MultiprogOptions::actions_from_names("pass, XDP_TX").unwrap(),
            0b1100
        );
        assert!(MultiprogOptions::actions_from_names("sideways").is_err());
        assert_eq!(MultiprogOptions::default().priority, 50);
    }
}
