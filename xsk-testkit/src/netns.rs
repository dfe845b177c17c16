//! Network sandboxes for tests and examples: network namespaces and veth pairs that clean up
//! after themselves.
//!
//! - [`NetNs`]: a named network namespace (`ip netns add`), deleted on drop. Code runs inside it
//!   on a thread that has joined it with `setns(2)` ([`NetNs::run`], [`NetNs::spawn`]); the rest
//!   of the process stays where it was.
//! - [`VethPair`]: two fresh namespaces joined by a veth pair, with MACs, IPv4 addresses and
//!   permanent neighbour (ARP) entries on both sides, IPv6 off (no router solicitations or DAD
//!   frames to confuse packet counts), optionally several RX/TX queues. Dropping it deletes both
//!   namespaces, which deletes the veth and anything attached to it.
//!
//! Names are unique per process and call, and say whose they are: a namespace is
//! `xsk-TAG-pPIDtSTARTnCOUNTER` (the owner's pid and start time, a counter), a veth end
//! `xl`/`xr` + the pid in hex + `n` + the counter (within the 15 bytes of an interface name).
//! So tests may run in parallel, in several processes at once, and a sandbox whose process was
//! killed (SIGKILL skips every destructor) is recognisable: the first [`NetNs::new`] of every
//! process removes such stale sandboxes of dead processes — never a live one's — and says so
//! in one line on stderr ([`remove_stale_sandboxes`]).
//!
//! Setup uses the `ip` command of iproute2 (`ip netns`, `ip link`, `ip addr`, `ip neigh`); it
//! must be installed and the caller needs CAP_SYS_ADMIN and CAP_NET_ADMIN (root). Nothing here
//! touches an interface outside the namespaces it creates.
//!
//! ```no_run
//! use xsk_testkit::netns::VethPair;
//! let pair = VethPair::builder().queues(2).build()?;
//! // The XDP side (left) and the traffic side (right) are separate namespaces.
//! let ifindex = pair.left.ifindex;
//! let sent = pair.right.ns.run(|| {
//!     let s = std::net::UdpSocket::bind("0.0.0.0:0").unwrap();
//!     s.send_to(b"hello", (xsk_testkit::netns::LEFT_IPV4, 9000)).unwrap()
//! })?;
//! # let _ = (ifindex, sent);
//! # Ok::<(), xsk_runtime::Error>(())
//! ```

use std::net::Ipv4Addr;
use std::os::fd::{AsFd, BorrowedFd, OwnedFd};
use std::path::PathBuf;
use std::process::Command;
use std::sync::atomic::{AtomicU32, Ordering};
use std::thread::JoinHandle;

use crate::sys;
use xsk_runtime::{Error, Result};

/// The IPv4 address of the left end of a [`VethPair`] (default).
pub const LEFT_IPV4: Ipv4Addr = Ipv4Addr::new(10, 77, 0, 1);
/// The IPv4 address of the right end of a [`VethPair`] (default).
pub const RIGHT_IPV4: Ipv4Addr = Ipv4Addr::new(10, 77, 0, 2);
/// The MAC address of the left end (locally administered).
pub const LEFT_MAC: [u8; 6] = [0x02, 0x00, 0x00, 0x00, 0x00, 0x01];
/// The MAC address of the right end (locally administered).
pub const RIGHT_MAC: [u8; 6] = [0x02, 0x00, 0x00, 0x00, 0x00, 0x02];

mod stale;
pub use stale::{
    owner_alive, remove_stale_sandboxes, remove_stale_sandboxes_once, sandbox_owner, Owner,
    StaleSandboxes, SANDBOX_PREFIX,
};

static COUNTER: AtomicU32 = AtomicU32::new(0);

/// A unique suffix for interface names: the pid (hex) and a per-process counter.
fn unique() -> String {
    format!(
        "{:x}n{}",
        std::process::id(),
        COUNTER.fetch_add(1, Ordering::Relaxed)
    )
}

/// A unique namespace name with the owner recorded: `xsk-TAG-pPIDtSTARTnCOUNTER`.
fn netns_name(tag: &str) -> String {
    let me = stale::me();
    format!(
        "{SANDBOX_PREFIX}{tag}-p{}t{}n{}",
        me.pid,
        me.start,
        COUNTER.fetch_add(1, Ordering::Relaxed)
    )
}

/// Runs `ip ARGS`, returning stdout, or an [`Error::Command`] with its stderr.
pub fn ip(args: &[&str]) -> Result<String> {
    run_command("ip", args)
}

fn run_command(program: &str, args: &[&str]) -> Result<String> {
    let line = format!("{program} {}", args.join(" "));
    let out = Command::new(program)
        .args(args)
        .output()
        .map_err(|e| Error::Command {
            command: line.clone(),
            detail: format!(
                "could not start it: {e}; hint: install iproute2 (apt-get install iproute2)"
            ),
        })?;
    if !out.status.success() {
        let stderr = String::from_utf8_lossy(&out.stderr);
        let mut detail = format!("{}: {}", out.status, stderr.trim());
        if stderr.contains("Operation not permitted") {
            detail
                .push_str("; hint: network namespaces need CAP_SYS_ADMIN and CAP_NET_ADMIN (root)");
        }
        return Err(Error::Command {
            command: line,
            detail,
        });
    }
    Ok(String::from_utf8_lossy(&out.stdout).into_owned())
}

/// Formats a MAC address as `aa:bb:cc:dd:ee:ff`.
pub fn mac_string(mac: &[u8; 6]) -> String {
    mac.iter()
        .map(|b| format!("{b:02x}"))
        .collect::<Vec<_>>()
        .join(":")
}

/// A named network namespace (`/run/netns/NAME`), deleted on drop.
#[derive(Debug)]
pub struct NetNs {
    name: String,
    fd: OwnedFd,
}

impl NetNs {
    /// Creates a fresh namespace named `xsk-TAG-pPIDtSTARTnCOUNTER` with its loopback up.
    /// The first call of a process removes stale sandboxes of dead processes first (see the
    /// module docs).
    pub fn new(tag: &str) -> Result<NetNs> {
        remove_stale_sandboxes_once();
        let name = netns_name(tag);
        ip(&["netns", "add", &name])?;
        let path = PathBuf::from("/run/netns").join(&name);
        let fd = match sys::open_readonly(&path) {
            Ok(fd) => fd,
            Err(e) => {
                let _ = ip(&["netns", "del", &name]);
                return Err(e);
            }
        };
        let ns = NetNs { name, fd };
        ns.ip(&["link", "set", "lo", "up"])?;
        Ok(ns)
    }

    /// The namespace's name (as `ip netns list` shows it).
    pub fn name(&self) -> &str {
        &self.name
    }

    /// A descriptor of the namespace (for `setns(2)`).
    pub fn fd(&self) -> BorrowedFd<'_> {
        self.fd.as_fd()
    }

    /// Runs `ip -n NAME ARGS`.
    pub fn ip(&self, args: &[&str]) -> Result<String> {
        let mut all = vec!["-n", self.name.as_str()];
        all.extend_from_slice(args);
        ip(&all)
    }

    /// A [`Command`] that runs `program` inside the namespace (`ip netns exec NAME program`).
    pub fn command(&self, program: &str) -> Command {
        let mut c = Command::new("ip");
        c.args(["netns", "exec", &self.name, program]);
        c
    }

    /// Moves the calling thread into this namespace, for good. Prefer [`NetNs::run`].
    pub fn enter_current_thread(&self) -> Result<()> {
        sys::setns_net(self.fd())
    }

    /// Runs `f` on a new thread inside the namespace and returns its result. Sockets, interface
    /// lookups (`if_nametoindex`), bpf links and netlink requests made by `f` see this
    /// namespace; descriptors `f` creates keep working after it returns.
    ///
    /// A panic in `f` is re-raised in the caller.
    pub fn run<R: Send>(&self, f: impl FnOnce() -> R + Send) -> Result<R> {
        let fd = self.fd();
        std::thread::scope(|s| {
            let h = s.spawn(move || -> Result<R> {
                sys::setns_net(fd)?;
                Ok(f())
            });
            match h.join() {
                Ok(r) => r,
                Err(p) => std::panic::resume_unwind(p),
            }
        })
    }

    /// Starts `f` on a new thread inside the namespace; [`NsThread::join`] gives its result,
    /// or the error that kept it from starting or from entering the namespace (one `Result`,
    /// not a nested one). A panic in `f` is re-raised by `join`.
    pub fn spawn<R: Send + 'static>(&self, f: impl FnOnce() -> R + Send + 'static) -> NsThread<R> {
        let start = || -> Result<JoinHandle<Result<R>>> {
            let fd = sys::dup(self.fd())?;
            std::thread::Builder::new()
                .name(format!("netns-{}", self.name))
                .spawn(move || -> Result<R> {
                    sys::setns_net(fd.as_fd())?;
                    drop(fd);
                    Ok(f())
                })
                .map_err(|e| Error::io("pthread_create", e.raw_os_error().unwrap_or(libc::EAGAIN)))
        };
        NsThread { inner: start() }
    }

    /// The index of interface `name` inside this namespace.
    pub fn ifindex(&self, name: &str) -> Result<u32> {
        let name = name.to_owned();
        self.run(move || sys::if_nametoindex(&name))?
    }

    /// Writes `value` to `/proc/sys/PATH` as seen from inside the namespace (e.g.
    /// `net/ipv6/conf/all/disable_ipv6`).
    pub fn sysctl(&self, path: &str, value: &str) -> Result<()> {
        let full = format!("/proc/sys/{path}");
        let value = value.to_owned();
        self.run(move || {
            std::fs::write(&full, value.as_bytes()).map_err(|e| {
                Error::io_hint(
                    "write(/proc/sys)",
                    e.raw_os_error().unwrap_or(libc::EIO),
                    format!("could not write {full}"),
                )
            })
        })?
    }
}

/// A thread started by [`NetNs::spawn`] inside a namespace.
#[derive(Debug)]
pub struct NsThread<R> {
    /// The running thread, or why it could not start.
    inner: Result<JoinHandle<Result<R>>>,
}

impl<R> NsThread<R> {
    /// True if the thread has finished (or never started): [`join`](NsThread::join) will not
    /// block.
    pub fn is_finished(&self) -> bool {
        match &self.inner {
            Ok(h) => h.is_finished(),
            Err(_) => true,
        }
    }

    /// Waits for the thread: `f`'s result, or the error that kept the thread from starting or
    /// from entering the namespace. A panic in `f` is re-raised here.
    pub fn join(self) -> Result<R> {
        match self.inner {
            Ok(h) => match h.join() {
                Ok(r) => r,
                Err(p) => std::panic::resume_unwind(p),
            },
            Err(e) => Err(e),
        }
    }
}

impl Drop for NetNs {
    fn drop(&mut self) {
        let _ = ip(&["netns", "del", &self.name]);
    }
}

/// One end of a [`VethPair`]: its namespace and addresses.
#[derive(Debug)]
pub struct VethEnd {
    /// The namespace this end lives in (only this end and `lo` are there).
    pub ns: NetNs,
    /// The interface name inside `ns`.
    pub name: String,
    /// The interface index inside `ns`.
    pub ifindex: u32,
    /// The MAC address.
    pub mac: [u8; 6],
    /// The IPv4 address (prefix length 24).
    pub ipv4: Ipv4Addr,
}

impl VethEnd {
    /// Runs `f` in this end's namespace (see [`NetNs::run`]).
    pub fn run<R: Send>(&self, f: impl FnOnce() -> R + Send) -> Result<R> {
        self.ns.run(f)
    }
}

/// Two network namespaces joined by a veth pair; everything is deleted on drop.
///
/// The left end is meant for the XDP program and AF_XDP sockets, the right end for the traffic
/// generator, but the pair is symmetric.
#[derive(Debug)]
pub struct VethPair {
    /// The left end (default 10.77.0.1, 02:00:00:00:00:01).
    pub left: VethEnd,
    /// The right end (default 10.77.0.2, 02:00:00:00:00:02).
    pub right: VethEnd,
    /// RX and TX queues of each end.
    pub queues: u32,
}

/// Options for [`VethPair`].
#[derive(Debug, Clone)]
pub struct VethPairBuilder {
    tag: String,
    queues: u32,
    left_ipv4: Ipv4Addr,
    right_ipv4: Ipv4Addr,
    mtu: Option<u32>,
}

impl Default for VethPairBuilder {
    fn default() -> Self {
        VethPairBuilder {
            tag: "veth".into(),
            queues: 1,
            left_ipv4: LEFT_IPV4,
            right_ipv4: RIGHT_IPV4,
            mtu: None,
        }
    }
}

impl VethPairBuilder {
    /// A short word put into the namespace names, to tell sandboxes apart in `ip netns`.
    pub fn tag(mut self, tag: &str) -> Self {
        self.tag = tag
            .chars()
            .filter(|c| c.is_ascii_alphanumeric())
            .take(12)
            .collect();
        self
    }

    /// RX and TX queues per end (`numrxqueues`/`numtxqueues`, veth multi-queue: kernel 4.19);
    /// 1 to 64.
    pub fn queues(mut self, n: u32) -> Self {
        self.queues = n;
        self
    }

    /// The IPv4 addresses of the two ends (/24).
    pub fn ipv4(mut self, left: Ipv4Addr, right: Ipv4Addr) -> Self {
        self.left_ipv4 = left;
        self.right_ipv4 = right;
        self
    }

    /// The MTU of both ends (default 1500; native XDP on veth needs MTU <= 3818 or so,
    /// multi-buffer XDP lifts that).
    pub fn mtu(mut self, mtu: u32) -> Self {
        self.mtu = Some(mtu);
        self
    }

    /// Creates the namespaces and the veth pair, configured and up.
    pub fn build(self) -> Result<VethPair> {
        if self.queues == 0 || self.queues > 64 {
            return Err(Error::invalid(format!(
                "veth queues must be 1..=64, got {}",
                self.queues
            )));
        }
        let tag = if self.tag.is_empty() {
            "veth"
        } else {
            &self.tag
        };
        let left_ns = NetNs::new(&format!("{tag}-l"))?;
        let right_ns = NetNs::new(&format!("{tag}-r"))?;
        let u = unique();
        let left_name = format!("xl{u}");
        let right_name = format!("xr{u}");
        if left_name.len() > 15 {
            return Err(Error::invalid(format!(
                "interface name {left_name} is too long"
            )));
        }
        let q = self.queues.to_string();
        ip(&[
            "link",
            "add",
            "name",
            &left_name,
            "numtxqueues",
            &q,
            "numrxqueues",
            &q,
            "netns",
            left_ns.name(),
            "type",
            "veth",
            "peer",
            "name",
            &right_name,
            "numtxqueues",
            &q,
            "numrxqueues",
            &q,
            "netns",
            right_ns.name(),
        ])?;
        let ends = [
            (&left_ns, &left_name, LEFT_MAC, self.left_ipv4),
            (&right_ns, &right_name, RIGHT_MAC, self.right_ipv4),
        ];
        for (i, (ns, name, mac, addr)) in ends.iter().enumerate() {
            let (peer_mac, peer_addr) = if i == 0 {
                (RIGHT_MAC, self.right_ipv4)
            } else {
                (LEFT_MAC, self.left_ipv4)
            };
            ns.sysctl("net/ipv6/conf/all/disable_ipv6", "1")?;
            ns.sysctl("net/ipv6/conf/default/disable_ipv6", "1")?;
            ns.ip(&["link", "set", "dev", name, "address", &mac_string(mac)])?;
            if let Some(mtu) = self.mtu {
                ns.ip(&["link", "set", "dev", name, "mtu", &mtu.to_string()])?;
            }
            ns.ip(&["addr", "add", &format!("{addr}/24"), "dev", name])?;
            ns.ip(&["link", "set", "dev", name, "up"])?;
            ns.ip(&[
                "neigh",
                "replace",
                &peer_addr.to_string(),
                "lladdr",
                &mac_string(&peer_mac),
                "dev",
                name,
                "nud",
                "permanent",
            ])?;
        }
        let left_ifindex = left_ns.ifindex(&left_name)?;
        let right_ifindex = right_ns.ifindex(&right_name)?;
        Ok(VethPair {
            left: VethEnd {
                ns: left_ns,
                name: left_name,
                ifindex: left_ifindex,
                mac: LEFT_MAC,
                ipv4: self.left_ipv4,
            },
            right: VethEnd {
                ns: right_ns,
                name: right_name,
                ifindex: right_ifindex,
                mac: RIGHT_MAC,
                ipv4: self.right_ipv4,
            },
            queues: self.queues,
        })
    }
}

impl VethPair {
    /// Options: queues, addresses, MTU, a tag for the names.
    pub fn builder() -> VethPairBuilder {
        VethPairBuilder::default()
    }

    /// A pair with the defaults (one queue, 10.77.0.1 ↔ 10.77.0.2).
    pub fn new() -> Result<VethPair> {
        VethPair::builder().build()
    }
}

/// True if the process may create namespaces and load BPF (effective uid 0).
pub fn is_root() -> bool {
    sys::geteuid() == 0
}

/// Why a privileged test cannot run here, or `None` if it can: the process is not root and the
/// environment variable `CI` is not `true`. Under `CI=true` this is always `None`, so a missing
/// privilege fails the test instead of hiding it. The kernel tests' harness marks such tests
/// ignored with this reason.
pub fn privileged_test_skip_reason() -> Option<&'static str> {
    if is_root() || std::env::var("CI").as_deref() == Ok("true") {
        return None;
    }
    Some("needs root (CAP_BPF, CAP_NET_ADMIN, CAP_SYS_ADMIN); CI is not \"true\"")
}

/// For privileged tests: `true` if the test should run. When not root and the environment
/// variable `CI` is not `true`, prints why the test is skipped and returns `false`; under
/// `CI=true` it always returns `true` (so a missing privilege fails the test instead of hiding).
pub fn privileged_test_should_run(test: &str) -> bool {
    match privileged_test_skip_reason() {
        None => true,
        Some(reason) => {
            eprintln!("skipping {test}: {reason}");
            false
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unique_names_differ() {
        assert_ne!(unique(), unique());
        assert_eq!(mac_string(&LEFT_MAC), "02:00:00:00:00:01");
    }
}
