//! Waiting for AF_XDP sockets while their rings stay borrowed: a [`PollHandle`] (one socket,
//! `poll()`) and an [`XskEpoll`] (sockets registered once, `epoll_wait`).
//!
//! [`XskSocket::poll_rx`] needs the socket, so a loop that holds the socket's rings
//! ([`XskSocket::rings`]) must give them back before every wait and borrow them again after
//! it. The handles here hold only the socket's descriptor (shared with the socket, or the
//! UMEM's for the UMEM's own socket): they keep it open and never touch the rings. Take them
//! first, then borrow the rings once for the whole loop.
//!
//! # Waits that send
//!
//! On a socket bound with need_wakeup ([`XskSocket::uses_need_wakeup`], kernel 5.4, the
//! default here) the kernel's poll of an AF_XDP socket also drives TX whenever the kernel wants
//! a wake-up for it (the kernel's af_xdp documentation, need_wakeup: "This can be accomplished
//! either by a poll() call, as in the Rx path, or by calling sendto()"): always in copy mode
//! (veth, any driver without zero-copy), in zero-copy mode while the TX ring's need_wakeup flag
//! is set. It
//! sends at most the kernel's TX budget per poll (32 descriptors by default,
//! [`XskSocket::set_max_tx_skb_budget`]), as one `sendto` kick does. A loop that submits TX
//! and then goes to sleep can leave the kick to the wait and make one system call a round
//! instead of two:
//!
//! - [`PollHandle::poll_rx`] (`poll()`) polls the socket on every call before it sleeps, so
//!   the TX entries submitted before it are sent.
//! - [`XskEpoll::wait`] (`epoll_wait`, level-triggered) polls a socket only while it is on
//!   epoll's ready list. It is there after a wait that reported it readable, and from the
//!   arrival of a packet on; it leaves the list only in a wait that polls it and finds its RX
//!   ring empty. So the TX entries a loop queued in answer to packets it took from a socket's
//!   RX ring since its last wait are sent by the next wait; other TX (a loop that only
//!   transmits, entries left over the budget) needs its kick
//!   ([`TxRing::kick_if_needed`](super::socket::TxRing::kick_if_needed)).
//!
//! # Sleeping without a time-out
//!
//! A wait with a time-out arms a kernel timer before it sleeps and cancels it after the
//! wake-up, on every call. A loop that only needs to look at its clock now and then can give
//! its [`XskEpoll`] a ticker ([`XskEpoll::add_ticker`]: a periodic timer descriptor, armed once)
//! and wait without a time-out (`wait(-1)`): each expiry ends a wait, with no timer per wait.

use std::os::fd::{AsFd, BorrowedFd, OwnedFd};
use std::sync::Arc;
use std::time::Duration;

use crate::error::{Error, Result};
use crate::sys::epoll::{Epoll, TimerFd};
use crate::sys::xdp;
use crate::xsk::socket::XskSocket;
use crate::xsk::umem::Umem;

/// How a handle keeps a socket's descriptor open.
#[derive(Debug, Clone)]
enum SocketFd {
    /// The socket's own descriptor, shared with the socket and its rings.
    Own(Arc<OwnedFd>),
    /// The UMEM's own socket: the UMEM holds its descriptor.
    Umem(Umem),
}

/// A socket's descriptor apart from the socket, to wait on it with `poll()` while its rings are
/// borrowed ([`XskSocket::poll_handle`]). Keeps the descriptor open as long as it lives; cheap
/// to clone (a reference count).
#[derive(Debug, Clone)]
pub struct PollHandle {
    fd: SocketFd,
}

impl PollHandle {
    /// Waits up to `timeout_ms` (negative: forever) until the socket is readable (RX ring not
    /// empty): `poll(POLLIN)`, which also sends what the TX ring holds (module docs, "Waits
    /// that send"). Returns true if readable; false on timeout.
    #[inline(always)]
    pub fn poll_rx(&self, timeout_ms: i32) -> Result<bool> {
        Ok(xdp::poll(self.as_fd(), libc::POLLIN, timeout_ms)? & libc::POLLIN != 0)
    }

    /// Waits up to `timeout_ms` until the TX ring has room (`poll(POLLOUT)`; the kernel calls
    /// a ring with more than half its entries queued full), sending what it holds. Returns
    /// true if writable.
    pub fn poll_tx(&self, timeout_ms: i32) -> Result<bool> {
        Ok(xdp::poll(self.as_fd(), libc::POLLOUT, timeout_ms)? & libc::POLLOUT != 0)
    }
}

impl AsFd for PollHandle {
    /// The socket's descriptor (the one [`XskSocket::fd`] returns).
    #[inline(always)]
    fn as_fd(&self) -> BorrowedFd<'_> {
        match &self.fd {
            SocketFd::Own(fd) => fd.as_fd(),
            SocketFd::Umem(umem) => umem.fd(),
        }
    }
}

impl XskSocket {
    /// A handle on the socket's descriptor to wait on while the rings are borrowed (module
    /// [`crate::xsk::wait`]); it keeps the descriptor open even after the socket is dropped.
    pub fn poll_handle(&self) -> PollHandle {
        PollHandle {
            fd: match &self.own_fd {
                Some(fd) => SocketFd::Own(Arc::clone(fd)),
                None => SocketFd::Umem(self.umem.clone()),
            },
        }
    }
}

/// The bit of a ticker's epoll data besides its token: a wait spots the tickers to read
/// without looking up its entries.
const TICKER: u64 = 1 << 63;

/// What a token of an [`XskEpoll`] stands for.
#[derive(Debug)]
enum Entry {
    /// An AF_XDP socket.
    Socket(PollHandle),
    /// A ticker ([`XskEpoll::add_ticker`]).
    Ticker { timer: TimerFd },
}

/// An epoll instance with AF_XDP sockets registered once, each for input, level-triggered:
/// a wait is one `epoll_wait`, with no wait-queue entry added and removed per call as `poll()`
/// does. Each socket (and each ticker) gets a token, its index in the order of
/// [`add`](XskEpoll::add) and [`add_ticker`](XskEpoll::add_ticker); [`ready`](XskEpoll::ready)
/// names those the last wait found readable. Holds a [`PollHandle`] of each socket (the
/// descriptors stay open while registered).
#[derive(Debug)]
pub struct XskEpoll {
    epoll: Epoll,
    entries: Vec<Entry>,
    /// Room for one event per socket, so that every socket on the ready list is polled in
    /// each wait (module docs, "Waits that send").
    events: Vec<libc::epoll_event>,
    /// Events of the last wait, at the front of `events`.
    ready: usize,
}

impl XskEpoll {
    /// An epoll instance with no socket yet (`epoll_create1(EPOLL_CLOEXEC)`).
    pub fn new() -> Result<XskEpoll> {
        Ok(XskEpoll {
            epoll: Epoll::new()?,
            entries: Vec::new(),
            events: Vec::new(),
            ready: 0,
        })
    }

    /// An epoll instance with `sockets` registered, tokens 0, 1, ... in their order.
    pub fn with_sockets<'a>(sockets: impl IntoIterator<Item = &'a XskSocket>) -> Result<XskEpoll> {
        let mut ep = XskEpoll::new()?;
        for s in sockets {
            ep.add(s)?;
        }
        Ok(ep)
    }

    /// Registers `socket` for input (`EPOLLIN`, level-triggered); returns its token.
    pub fn add(&mut self, socket: &XskSocket) -> Result<usize> {
        self.add_handle(socket.poll_handle())
    }

    /// Registers the socket of `handle` like [`add`](XskEpoll::add). A socket registered twice
    /// is refused (the kernel's `EEXIST`).
    pub fn add_handle(&mut self, handle: PollHandle) -> Result<usize> {
        let token = self.entries.len();
        self.epoll
            .add(handle.as_fd(), libc::EPOLLIN as u32, token as u64)
            .map_err(|e| match e.errno() {
                Some(libc::EEXIST) => Error::io_hint(
                    "epoll_ctl(EPOLL_CTL_ADD)",
                    libc::EEXIST,
                    format!(
                        "the AF_XDP socket is registered already (token {token} would be a second)"
                    ),
                ),
                _ => e,
            })?;
        self.entries.push(Entry::Socket(handle));
        self.events.push(libc::epoll_event { events: 0, u64: 0 });
        Ok(token)
    }

    /// Adds a ticker: a periodic timer (`timerfd`, `CLOCK_MONOTONIC`, armed once) whose every
    /// expiry, `period` apart from `period` from now, ends a wait with its token among the
    /// [`ready`](XskEpoll::ready) ones (the wait reads the timer, which re-arms it: one system
    /// call per expiry, not per wait). For a loop that waits without a time-out (`wait(-1)`,
    /// no timer armed per wait) and still looks at its clock every `period`. Returns its
    /// token.
    pub fn add_ticker(&mut self, period: Duration) -> Result<usize> {
        let token = self.entries.len();
        let timer = TimerFd::periodic(period)?;
        self.epoll
            .add(timer.fd(), libc::EPOLLIN as u32, token as u64 | TICKER)?;
        self.entries.push(Entry::Ticker { timer });
        self.events.push(libc::epoll_event { events: 0, u64: 0 });
        Ok(token)
    }

    /// The sockets and tickers registered.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// True if nothing is registered.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// Waits up to `timeout_ms` (negative: forever) until a registered socket is readable or
    /// a ticker expires; returns how many are ready (0 on timeout or when a signal ended the
    /// wait). The wait also sends TX (module docs, "Waits that send"). With nothing
    /// registered it is refused rather than sleeping for nothing.
    #[inline(always)]
    pub fn wait(&mut self, timeout_ms: i32) -> Result<usize> {
        self.ready = 0;
        let n = self.epoll.wait_into(&mut self.events, timeout_ms)?;
        self.ready = n;
        for i in 0..n {
            let data = self.events[i].u64;
            if data & TICKER != 0 {
                self.read_ticker(data & !TICKER)?;
            }
        }
        Ok(n)
    }

    /// Reads the ticker `token` after it expired (which re-arms it).
    #[cold]
    #[inline(never)]
    fn read_ticker(&self, token: u64) -> Result<()> {
        if let Some(Entry::Ticker { timer }) = self.entries.get(token as usize) {
            timer.read()?;
        }
        Ok(())
    }

    /// The tokens of the sockets the last [`wait`](XskEpoll::wait) found readable and of the
    /// tickers that expired.
    pub fn ready(&self) -> impl Iterator<Item = usize> + '_ {
        self.events[..self.ready].iter().map(|e| {
            let data = e.u64;
            (data & !TICKER) as usize
        })
    }

    /// The [`PollHandle`] of the socket with token `token`, if there is one (`None` for a
    /// ticker's token).
    pub fn handle(&self, token: usize) -> Option<&PollHandle> {
        match self.entries.get(token)? {
            Entry::Socket(h) => Some(h),
            Entry::Ticker { .. } => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_wait_with_no_socket_is_refused() {
        let mut ep = XskEpoll::new().expect("epoll_create1 needs no privilege");
        assert!(ep.is_empty());
        let e = ep.wait(-1).unwrap_err().to_string();
        assert!(e.contains("room for one event"), "{e}");
        assert_eq!(ep.ready().count(), 0);
        assert!(ep.handle(0).is_none());
    }

    #[test]
    fn a_ticker_ends_every_wait_without_a_time_out() {
        let mut ep = XskEpoll::new().unwrap();
        let t = ep.add_ticker(Duration::from_millis(50)).expect("timerfd");
        assert_eq!(t, 0);
        assert_eq!(ep.len(), 1);
        assert!(ep.handle(t).is_none(), "a ticker has no socket handle");
        // Each expiry ends a wait that has no time-out: the wait's read re-arms the timer
        // (without it, a periodic timerfd does not expire again and the third wait would
        // sleep forever).
        let start = std::time::Instant::now();
        for _ in 0..3 {
            assert_eq!(ep.wait(-1).unwrap(), 1);
            assert_eq!(ep.ready().collect::<Vec<_>>(), vec![t]);
        }
        assert!(
            start.elapsed() >= Duration::from_millis(100),
            "{:?}",
            start.elapsed()
        );
        // Read: not ready again before the next expiry.
        assert_eq!(ep.wait(0).unwrap(), 0);
        let e = ep.add_ticker(Duration::ZERO).unwrap_err().to_string();
        assert!(e.contains("period above zero"), "{e}");
        assert_eq!(ep.len(), 1, "the refused ticker is not counted");
    }

    #[test]
    fn handles_move_between_threads() {
        fn send<T: Send + Sync + Clone>() {}
        send::<PollHandle>();
        fn send_only<T: Send>() {}
        send_only::<XskEpoll>();
    }
}
