//! The few operating-system calls a user of the crate needs besides maps, programs and sockets,
//! as safe functions: interface names and indexes, queue counts, network namespaces, the
//! memlock limit, bpffs, a bare AF_XDP socket, a sending-only AF_PACKET socket, a raw netlink XDP attach, and the TAI clock
//! (copy-mode TX timestamps). They are thin wrappers of the crate-private system-call layer.

use std::os::fd::BorrowedFd;

use crate::error::{Error, Result};

pub use crate::sys::ethtool::channel_counts;
pub use crate::sys::packet::{PacketSender, MAX_BATCH as PACKET_MAX_BATCH};
pub use crate::sys::xdp::xsk_socket;
pub use crate::sys::{
    clock_tai_ns, dup, geteuid, if_indextoname, if_nametoindex, is_bpffs, mount_bpffs,
    open_readonly, possible_cpus, remove_memlock_limit, setns_net, unshare_net,
};

/// Attaches the XDP program `prog_fd` to interface `ifindex` with netlink (`RTM_SETLINK` +
/// `IFLA_XDP`, kernel 4.8) in the network namespace `ns` (the calling thread's if `None`),
/// with `flags` from [`crate::abi`] (`XDP_FLAGS_*`). Nothing detaches it again: the program
/// stays until removed (or until its namespace is deleted). Prefer
/// [`XdpAttachment`](crate::bpf::attach::XdpAttachment), which detaches on drop.
pub fn set_xdp(ns: Option<BorrowedFd<'_>>, ifindex: u32, prog_fd: i32, flags: u32) -> Result<()> {
    crate::sys::netlink::set_xdp(ns, ifindex, prog_fd, flags, None).map_err(|e| match e.message {
        Some(m) => Error::io_hint("netlink IFLA_XDP", e.errno, m),
        None => Error::io("netlink IFLA_XDP", e.errno),
    })
}
