//! AF_XDP sockets: binding to an interface queue, the four typed rings, wake-ups, statistics.
//!
//! An [`XskSocket`] is bound to one (interface, queue) and uses a [`Umem`]. It has up to four
//! rings, each a single-producer/single-consumer queue shared with the kernel:
//!
//! | ring | user space | kernel | carries | type |
//! |---|---|---|---|---|
//! | fill | produces | consumes | empty frames for the kernel to receive into | [`FillRing`] |
//! | RX | consumes | produces | received packets (frame, offset, length) | [`RxRing`] |
//! | TX | produces | consumes | packets to send | [`TxRing`] |
//! | completion | consumes | produces | frames whose packets were sent | [`CompletionRing`] |
//!
//! Fill and completion belong to the queue: one pair per (UMEM, interface, queue), owned by the
//! queue's `DeviceQueue` (`xsk/queue.rs`) that every socket of the queue references; RX and TX
//! belong to the socket. The typed rings (one file each: `xsk/fill.rs`, `xsk/completion.rs`,
//! `xsk/rx.rs`, `xsk/tx.rs`) move [`Frame`](crate::xsk::umem::Frame)s by value (see
//! [`crate::xsk::umem`] on frame ownership) and keep counters ([`FrameCounters`]) of what went
//! through them.
//!
//! # Sharing a UMEM (`XDP_SHARED_UMEM`)
//!
//! The first socket bound with a UMEM uses the socket the UMEM was registered on. Every further
//! socket is a new AF_XDP socket bound with `XDP_SHARED_UMEM`. On an (interface, queue) that
//! already has a socket of the UMEM it names that socket's fd and shares its fill and
//! completion rings, having none of its own (kernel 4.18); on another queue or interface it
//! names the UMEM's own socket and gets its own fill and completion rings (kernel 5.10). The
//! kernel refuses any other bind flag with `XDP_SHARED_UMEM`: shared sockets inherit
//! copy/zero-copy, need_wakeup and multi-buffer from the first socket, and this module never
//! sends other flags with it.
//!
//! The fill and completion rings of a queue are driven by one socket at a time, at first the
//! socket that set them up ([`XskSocket::fill`] is `None` on the others), which holds them
//! directly (no lock, no shared pointer on the fast path). When that socket is dropped while
//! other sockets of the UMEM are still bound to the queue, its two rings go back, mapped, to
//! the queue's `DeviceQueue`, with their counters and the frames in them, and the next of
//! those sockets that asks for its rings
//! ([`XskSocket::fill`], [`XskSocket::completion`], [`XskSocket::rings`]) takes them over:
//! receiving on the queue goes on, no frame is lost. (While the rings stay mapped, the kernel
//! keeps the dropped socket itself alive — the mapping holds its file — so it leaves any
//! XSKMAP only when the last socket of the queue is gone: point the map at a live socket.)
//!
//! # Closing a socket
//!
//! Dropping a socket loses no frame: the frames on its rings (fill, RX unread, TX not sent,
//! completion not taken, rolled-back batches) come back to the UMEM once the kernel has let go of
//! the socket, and [`Umem::reclaim`] puts them on a [`FreeList`](crate::xsk::umem::FreeList). The
//! UMEM's own socket, and a socket whose fill and completion rings stay for the other sockets of
//! its queue, live on in the kernel: their frames come back with the queue's last socket, or — on
//! the UMEM's own queue — from [`Umem::close`]. What cannot come back (traffic still flowing during
//! the close) is listed at [`Umem::reclaim`].
//!
//! # Wake-ups (`need_wakeup`, kernel 5.4)
//!
//! Bound with `XDP_USE_NEED_WAKEUP` (the default here), the kernel sets a flag in the fill ring
//! when it needs a syscall to go on receiving, and in the TX ring when it needs one to go on
//! sending. [`FillRing::wake_if_needed`] and [`TxRing::kick_if_needed`] make the syscall
//! (`recvfrom` / `sendto` with `MSG_DONTWAIT`) only then; without need_wakeup, TX is kicked
//! after every submit. In copy mode (all of veth) the kernel never sets the fill ring's flag
//! (packets are copied in the sender's softirq, nothing sleeps) and always sets the TX flag:
//! every transmit costs one `sendto`, which sends at most 32 frames unless
//! [`XskSocket::set_max_tx_skb_budget`] (kernel 6.17) raises that.

use std::os::fd::{AsFd, AsRawFd, BorrowedFd, OwnedFd};
use std::sync::Arc;
use std::time::{Duration, Instant};

use super::queue::DeviceQueue;
use crate::error::{Error, Result};
use crate::sys::xdp::{
    self, SockaddrXdp, XdpOptions, XdpStatistics, AF_XDP, SOL_XDP, SO_BUSY_POLL,
    SO_BUSY_POLL_BUDGET, SO_PREFER_BUSY_POLL, XDP_COPY, XDP_MAX_TX_SKB_BUDGET,
    XDP_OPTIONS_ZEROCOPY, XDP_SHARED_UMEM, XDP_USE_NEED_WAKEUP, XDP_USE_SG, XDP_ZEROCOPY,
};
use crate::xsk::umem::{OwnerState, RingSizes, Umem};

pub use super::completion::{CompletionBatch, CompletionRing};
pub use super::fill::{FillBatch, FillRing};
pub use super::rx::{RxBatch, RxRing};
use super::setup::{bind_error, setup_rings};
pub use super::setup::{BindMode, SocketConfig};
pub use super::tx::{TxBatch, TxRing};

/// Frames that went through a socket's rings, to account for every frame.
///
/// For one socket with its own fill ring, the frames the kernel holds are
/// `filled - received + transmitted - completed`; with sockets sharing a fill ring, sum them.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct FrameCounters {
    /// Frames submitted to the fill ring.
    pub filled: u64,
    /// Packets (descriptors) taken from the RX ring.
    pub received: u64,
    /// Frames submitted to the TX ring.
    pub transmitted: u64,
    /// Frames taken from the completion ring.
    pub completed: u64,
    /// RX or completion entries whose address was not in the UMEM (a kernel bug; never
    /// expected). They are released and counted, never turned into frames.
    pub invalid: u64,
}

impl FrameCounters {
    /// Frames the kernel holds: in the fill ring, being received or sent, or in the TX ring.
    pub fn in_kernel(&self) -> i64 {
        (self.filled as i64 - self.received as i64)
            + (self.transmitted as i64 - self.completed as i64)
            - self.invalid as i64
    }
}

impl std::ops::Add for FrameCounters {
    type Output = FrameCounters;
    fn add(self, o: FrameCounters) -> FrameCounters {
        FrameCounters {
            filled: self.filled + o.filled,
            received: self.received + o.received,
            transmitted: self.transmitted + o.transmitted,
            completed: self.completed + o.completed,
            invalid: self.invalid + o.invalid,
        }
    }
}

// ---------------------------------------------------------------------------------------------
// The socket

/// Busy-polling settings (`SO_PREFER_BUSY_POLL`, `SO_BUSY_POLL`, `SO_BUSY_POLL_BUDGET`;
/// for AF_XDP kernel 5.11). Only useful with drivers that support NAPI busy polling (not veth).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BusyPoll {
    /// Microseconds to busy poll per syscall (`SO_BUSY_POLL`); libxdp's samples use 20.
    pub usecs: u32,
    /// Packets per busy-poll round (`SO_BUSY_POLL_BUDGET`); libxdp's samples use 64.
    pub budget: u32,
    /// Prefer busy polling over interrupts (`SO_PREFER_BUSY_POLL`).
    pub prefer: bool,
}

impl Default for BusyPoll {
    fn default() -> Self {
        BusyPoll {
            usecs: 20,
            budget: 64,
            prefer: true,
        }
    }
}

/// The split borrow of a socket's rings, to use several at once (e.g. RX and TX in l2fwd).
#[derive(Debug)]
pub struct Rings<'a> {
    /// The fill ring (`None` when shared with an earlier socket on the same queue).
    pub fill: Option<&'a mut FillRing>,
    /// The completion ring (`None` like `fill`).
    pub completion: Option<&'a mut CompletionRing>,
    /// The RX ring (`None` if `rx_size` was 0).
    pub rx: Option<&'a mut RxRing>,
    /// The TX ring (`None` if `tx_size` was 0).
    pub tx: Option<&'a mut TxRing>,
}

/// An AF_XDP socket bound to one interface queue.
///
/// `Send` but not `Sync`: one thread drives a socket's rings (the rings are single-producer,
/// single-consumer); move each socket of a shared UMEM to its own thread, with its own
/// [`FreeList`](crate::xsk::umem::FreeList) ([`FreeList::take`](crate::xsk::umem::FreeList::take)).
///
/// The rings are unmapped and the socket closed on drop — except fill and completion rings
/// that other sockets of the queue still need (see "Sharing a UMEM" in the module docs). The
/// first socket of a [`Umem`] is the UMEM's own socket: the kernel keeps it bound (and in any
/// XSKMAP) until the `Umem`'s last handle is dropped too, and its fill and completion rings
/// wait in the queue's `DeviceQueue` for the next socket bound to the same queue.
#[derive(Debug)]
pub struct XskSocket {
    pub(super) fill: Option<FillRing>,
    pub(super) completion: Option<CompletionRing>,
    pub(super) rx: Option<RxRing>,
    pub(super) tx: Option<TxRing>,
    /// `None` for the UMEM's own socket (whose fd the `Umem` holds); shared with the rings
    /// (an fd stays open as long as a ring that wakes through it).
    pub(super) own_fd: Option<Arc<OwnedFd>>,
    pub(super) umem: Umem,
    /// The owner of the queue's fill and completion rings, shared by every socket of the
    /// UMEM bound to the same (ifindex, queue).
    pub(super) device: Arc<DeviceQueue>,
    pub(super) zero_copy: bool,
    pub(super) zero_copy_refused: bool,
    pub(super) need_wakeup: bool,
    /// The queue's parking generation when this socket last looked for parked rings.
    pub(super) parked_seen: u32,
    /// True if the queue's fill and completion rings were mapped through this socket's fd
    /// (so their mappings keep this socket alive in the kernel after it is dropped).
    pub(super) maps_queue_rings: bool,
}

impl XskSocket {
    /// Creates a socket on interface `ifname` (in the calling thread's network namespace),
    /// queue `queue`, using `umem`.
    pub fn bind_name(
        umem: &Umem,
        ifname: &str,
        queue: u32,
        config: &SocketConfig,
    ) -> Result<XskSocket> {
        let ifindex = crate::sys::if_nametoindex(ifname)?;
        Self::bind(umem, ifindex, queue, config)
    }

    /// Creates a socket on interface `ifindex`, queue `queue`, using `umem`: sets the ring
    /// sizes, maps the rings, and binds (see the module docs for what is shared when `umem`
    /// already has sockets).
    ///
    /// A failed first bind (a queue that does not exist, zero-copy refused, ...) leaves the
    /// `umem` usable: its own socket keeps the rings that bind set — the kernel sets each ring
    /// once per socket — and the next `bind` maps them again, so it must ask for the same ring
    /// sizes (an error says which otherwise).
    pub fn bind(umem: &Umem, ifindex: u32, queue: u32, config: &SocketConfig) -> Result<XskSocket> {
        config.validate()?;
        let mut state = umem.state();
        let (owner_wakeup, mut sizes) = match state.owner {
            OwnerState::Unused(sizes) => (None, sizes),
            OwnerState::Bound { need_wakeup } => (Some(need_wakeup), RingSizes::default()),
        };
        let is_owner = owner_wakeup.is_none();
        // A live socket of this UMEM on the same queue: share its fill and completion rings
        // (the kernel shares them only with a socket bound to the same queue, so name that
        // one in `sxdp_shared_umem_fd`, not the UMEM's own socket on another queue).
        let device = state.queue(ifindex, queue).cloned();
        let same_queue_fd = device.as_ref().and_then(|q| q.lock().fds.first().copied());
        let same_queue = same_queue_fd.is_some();
        let own_fd = if is_owner {
            None
        } else {
            Some(Arc::new(xdp::xsk_socket()?))
        };
        let fd: BorrowedFd<'_> = match &own_fd {
            Some(fd) => fd.as_fd(),
            None => umem.fd(),
        };
        let need_wakeup = owner_wakeup.unwrap_or(config.need_wakeup);
        let rings = setup_rings(
            umem,
            fd,
            own_fd.as_ref(),
            config,
            !same_queue,
            need_wakeup,
            &mut sizes,
        );
        if is_owner {
            // What is set on the UMEM's own socket stays set, even if this bind fails: a
            // retry maps those rings again.
            state.owner = OwnerState::Unused(sizes);
        }
        let (fill, completion, rx, tx) = rings?;
        let mut addr = SockaddrXdp {
            sxdp_family: AF_XDP as u16,
            sxdp_flags: 0,
            sxdp_ifindex: ifindex,
            sxdp_queue_id: queue,
            sxdp_shared_umem_fd: 0,
        };
        let mut zero_copy_refused = false;
        if is_owner {
            let mut flags = match config.mode {
                BindMode::Auto => 0,
                BindMode::Copy => XDP_COPY,
                BindMode::ZeroCopy | BindMode::ZeroCopyOrCopy => XDP_ZEROCOPY,
            };
            if config.need_wakeup {
                flags |= XDP_USE_NEED_WAKEUP;
            }
            if config.multi_buffer {
                flags |= XDP_USE_SG;
            }
            addr.sxdp_flags = flags;
            let mut res = bind_waiting(fd, &addr, config.busy_wait);
            if res == Err(libc::EOPNOTSUPP) && config.mode == BindMode::ZeroCopyOrCopy {
                zero_copy_refused = true;
                addr.sxdp_flags = (flags & !XDP_ZEROCOPY) | XDP_COPY;
                res = bind_waiting(fd, &addr, config.busy_wait);
            }
            if let Err(errno) = res {
                // The socket stays unbound, its rings set: a later bind can still use it.
                return Err(bind_error(umem, errno, ifindex, queue, config, false));
            }
            state.owner = OwnerState::Bound {
                need_wakeup: config.need_wakeup,
            };
        } else {
            // The kernel refuses every other flag with XDP_SHARED_UMEM.
            addr.sxdp_flags = XDP_SHARED_UMEM;
            addr.sxdp_shared_umem_fd =
                same_queue_fd.unwrap_or_else(|| umem.fd().as_raw_fd()) as u32;
            if let Err(errno) = xdp::bind(fd, &addr) {
                return Err(bind_error(umem, errno, ifindex, queue, config, true));
            }
        }
        let raw = fd.as_raw_fd();
        let device = match device {
            Some(q) => {
                q.lock().fds.push(raw);
                q
            }
            None => {
                let q = Arc::new(DeviceQueue::new(ifindex, queue, raw));
                state.queues.push(Arc::clone(&q));
                q
            }
        };
        drop(state);
        let zero_copy = match xdp::options(fd) {
            Ok(XdpOptions { flags }) => flags & XDP_OPTIONS_ZEROCOPY != 0,
            // Kernels before 5.3 cannot tell; only a forced zero-copy bind is known.
            Err(_) => config.mode == BindMode::ZeroCopy,
        };
        let mut socket = XskSocket {
            fill,
            completion,
            rx,
            tx,
            own_fd,
            umem: umem.clone(),
            // Not the current generation: the first look happens right below.
            parked_seen: device.generation().wrapping_sub(1),
            device,
            zero_copy,
            zero_copy_refused,
            need_wakeup,
            maps_queue_rings: !same_queue,
        };
        socket.adopt_parked_rings();
        Ok(socket)
    }

    /// Takes over the fill and completion rings of this queue if the socket that drove them
    /// was dropped (see "Sharing a UMEM" in the module docs). On the fast path: one relaxed
    /// load, and the queue's lock only when rings were parked since this socket last looked.
    #[inline]
    fn adopt_parked_rings(&mut self) {
        if self.fill.is_none() && self.device.generation() != self.parked_seen {
            self.adopt_parked_rings_slow();
        }
    }

    #[cold]
    fn adopt_parked_rings_slow(&mut self) {
        let (seen, parked) = self.device.take_parked();
        self.parked_seen = seen;
        let Some(parked) = parked else {
            return;
        };
        self.fill = Some(FillRing {
            ring: parked.fill,
            umem: self.umem.clone(),
            fd: self.own_fd.clone(),
            need_wakeup: self.need_wakeup,
            filled: parked.filled,
            rolled_back: parked.fill_rolled_back,
        });
        self.completion = Some(CompletionRing {
            ring: parked.completion,
            umem: self.umem.clone(),
            completed: parked.completed,
            invalid: parked.invalid,
        });
    }

    /// The socket's fd (to enter into an XSKMAP, or to poll).
    #[inline]
    pub fn fd(&self) -> BorrowedFd<'_> {
        match &self.own_fd {
            Some(fd) => fd.as_fd(),
            None => self.umem.fd(),
        }
    }

    /// The UMEM.
    pub fn umem(&self) -> &Umem {
        &self.umem
    }

    /// The interface index bound to.
    pub fn ifindex(&self) -> u32 {
        self.device.ifindex()
    }

    /// The queue bound to.
    pub fn queue(&self) -> u32 {
        self.device.queue()
    }

    /// True if the socket runs in zero-copy mode (`XDP_OPTIONS_ZEROCOPY`).
    pub fn is_zero_copy(&self) -> bool {
        self.zero_copy
    }

    /// True if [`BindMode::ZeroCopyOrCopy`] fell back to copy mode.
    pub fn zero_copy_refused(&self) -> bool {
        self.zero_copy_refused
    }

    /// True if the socket was bound with `XDP_USE_NEED_WAKEUP` (or inherited it).
    pub fn uses_need_wakeup(&self) -> bool {
        self.need_wakeup
    }

    /// All rings at once, for code that uses several in one loop (takes over parked fill
    /// and completion rings like [`fill`](XskSocket::fill)).
    #[inline]
    pub fn rings(&mut self) -> Rings<'_> {
        self.adopt_parked_rings();
        Rings {
            fill: self.fill.as_mut(),
            completion: self.completion.as_mut(),
            rx: self.rx.as_mut(),
            tx: self.tx.as_mut(),
        }
    }

    /// The fill ring, unless shared with an earlier socket on the same queue; takes over the
    /// queue's fill and completion rings if the socket that had them was dropped.
    pub fn fill(&mut self) -> Option<&mut FillRing> {
        self.adopt_parked_rings();
        self.fill.as_mut()
    }

    /// The completion ring, unless shared like the fill ring (taken over like it).
    pub fn completion(&mut self) -> Option<&mut CompletionRing> {
        self.adopt_parked_rings();
        self.completion.as_mut()
    }

    /// The RX ring, if configured.
    pub fn rx(&mut self) -> Option<&mut RxRing> {
        self.rx.as_mut()
    }

    /// The TX ring, if configured.
    pub fn tx(&mut self) -> Option<&mut TxRing> {
        self.tx.as_mut()
    }

    /// What went through this socket's rings. The fill and completion counts travel with
    /// those rings: a socket that takes over a queue's rings (see "Sharing a UMEM" in the
    /// module docs) counts from where their previous socket stopped, and a dropped socket's RX
    /// and TX counts go with it. Frames of rolled-back batches are not counted anywhere: see
    /// [`FillRing::rolled_back`] and [`TxRing::rolled_back`].
    pub fn counters(&self) -> FrameCounters {
        FrameCounters {
            filled: self.fill.as_ref().map_or(0, |r| r.filled),
            received: self.rx.as_ref().map_or(0, |r| r.received),
            transmitted: self.tx.as_ref().map_or(0, |r| r.transmitted),
            completed: self.completion.as_ref().map_or(0, |r| r.completed),
            invalid: self.rx.as_ref().map_or(0, |r| r.invalid)
                + self.completion.as_ref().map_or(0, |r| r.invalid),
        }
    }

    /// The kernel's counters for this socket (`XDP_STATISTICS`).
    pub fn statistics(&self) -> Result<XdpStatistics> {
        xdp::statistics(self.fd())
    }

    /// The kernel's view of the socket's options (`XDP_OPTIONS`, kernel 5.3).
    pub fn options(&self) -> Result<XdpOptions> {
        xdp::options(self.fd())
    }

    /// Waits up to `timeout_ms` (negative: forever) until the socket is readable (RX ring not
    /// empty) — `poll(POLLIN)`; poll also wakes the kernel like `recvfrom` and sends what the
    /// TX ring holds like `sendto` ([`crate::xsk::wait`]). Returns true if readable. To wait
    /// while the rings are borrowed: [`poll_handle`](XskSocket::poll_handle) or [`XskEpoll`](crate::wait::XskEpoll).
    #[inline]
    pub fn poll_rx(&self, timeout_ms: i32) -> Result<bool> {
        Ok(xdp::poll(self.fd(), libc::POLLIN, timeout_ms)? & libc::POLLIN != 0)
    }

    /// Waits up to `timeout_ms` until the TX ring has room (`poll(POLLOUT)`), which also drives
    /// transmission. Returns true if writable.
    pub fn poll_tx(&self, timeout_ms: i32) -> Result<bool> {
        Ok(xdp::poll(self.fd(), libc::POLLOUT, timeout_ms)? & libc::POLLOUT != 0)
    }

    /// Sets the busy-polling socket options (kernel 5.11).
    pub fn set_busy_poll(&self, busy: &BusyPoll) -> Result<()> {
        let fd = self.fd();
        xdp::setsockopt_u32(
            fd,
            libc::SOL_SOCKET,
            SO_PREFER_BUSY_POLL,
            u32::from(busy.prefer),
            "setsockopt(SO_PREFER_BUSY_POLL)",
        )
        .map_err(old_kernel_hint("5.11"))?;
        xdp::setsockopt_u32(
            fd,
            libc::SOL_SOCKET,
            SO_BUSY_POLL,
            busy.usecs,
            "setsockopt(SO_BUSY_POLL)",
        )?;
        xdp::setsockopt_u32(
            fd,
            libc::SOL_SOCKET,
            SO_BUSY_POLL_BUDGET,
            busy.budget,
            "setsockopt(SO_BUSY_POLL_BUDGET)",
        )
        .map_err(old_kernel_hint("5.11"))
    }

    /// Sets how many TX descriptors one `sendto` may send in copy mode
    /// (`XDP_MAX_TX_SKB_BUDGET`, default 32, at most the TX ring size; kernel 6.17).
    pub fn set_max_tx_skb_budget(&self, budget: u32) -> Result<()> {
        xdp::setsockopt_u32(
            self.fd(),
            SOL_XDP,
            XDP_MAX_TX_SKB_BUDGET,
            budget,
            "setsockopt(XDP_MAX_TX_SKB_BUDGET)",
        )
        .map_err(|e| match e.errno() {
            Some(libc::ENOPROTOOPT) => Error::io_hint(
                "setsockopt(XDP_MAX_TX_SKB_BUDGET)",
                libc::ENOPROTOOPT,
                "the kernel is older than 6.17, which added this option",
            ),
            // The kernel answers EACCES for a budget out of range, EINVAL without a TX ring.
            Some(errno @ (libc::EACCES | libc::EINVAL)) => Error::io_hint(
                "setsockopt(XDP_MAX_TX_SKB_BUDGET)",
                errno,
                format!(
                    "the budget {budget} must lie between 32 and the TX ring size, and the \
                     socket needs a TX ring"
                ),
            ),
            _ => e,
        })
    }
}

impl AsFd for XskSocket {
    /// The socket's fd, e.g. for [`XskMap::set`](crate::bpf::maps::XskMap::set).
    fn as_fd(&self) -> BorrowedFd<'_> {
        self.fd()
    }
}

/// `bind(2)` of an AF_XDP socket, tried again while the queue is busy (`EBUSY`) for up to
/// `wait` ([`SocketConfig::busy_wait`]): pauses of 1 ms, doubling up to 16 ms, so that a
/// queue released ~20 ms after its last socket closed is taken within a few ms of it.
fn bind_waiting(fd: BorrowedFd<'_>, addr: &SockaddrXdp, wait: Duration) -> Result<(), i32> {
    let started = Instant::now();
    let mut pause = Duration::from_millis(1);
    loop {
        match xdp::bind(fd, addr) {
            Err(libc::EBUSY) if started.elapsed() < wait => {
                std::thread::sleep(pause.min(wait.saturating_sub(started.elapsed())));
                pause = (pause * 2).min(Duration::from_millis(16));
            }
            res => return res,
        }
    }
}

fn old_kernel_hint(version: &'static str) -> impl Fn(Error) -> Error {
    move |e| match e {
        Error::Io {
            op,
            errno: libc::ENOPROTOOPT,
            ..
        } => Error::io_hint(
            op,
            libc::ENOPROTOOPT,
            format!("the kernel is older than {version}, which added this option"),
        ),
        e => e,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ring_sizes_must_be_powers_of_two() {
        let bad = |c: SocketConfig| c.validate().unwrap_err().to_string();
        let e = bad(SocketConfig {
            rx_size: 1000,
            ..Default::default()
        });
        assert!(e.contains("RX ring size 1000 is not a power of two"), "{e}");
        assert!(e.contains("1024"), "suggests the next power of two: {e}");
        let e = bad(SocketConfig {
            fill_size: 0,
            ..Default::default()
        });
        assert!(e.contains("fill ring size 0"), "{e}");
        let e = bad(SocketConfig {
            rx_size: 0,
            tx_size: 0,
            ..Default::default()
        });
        assert!(e.contains("needs an RX ring, a TX ring, or both"), "{e}");
        assert!(SocketConfig {
            tx_size: 0,
            ..Default::default()
        }
        .validate()
        .is_ok());
    }

    #[test]
    fn sockets_move_between_threads() {
        fn send<T: Send>() {}
        send::<XskSocket>();
        send::<crate::xsk::umem::FreeList>();
        send::<crate::xsk::umem::Frame>();
        fn sync<T: Sync + Send>() {}
        sync::<Umem>();
    }

    #[test]
    fn counters_add_up() {
        let a = FrameCounters {
            filled: 10,
            received: 4,
            transmitted: 3,
            completed: 1,
            invalid: 0,
        };
        assert_eq!(a.in_kernel(), 8);
        assert_eq!((a + a).in_kernel(), 16);
    }
}
