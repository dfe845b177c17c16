//! The per-queue owner of a UMEM's fill and completion rings: [`DeviceQueue`].
//!
//! The kernel keeps one fill and one completion ring per (UMEM, interface, queue): the first
//! socket of the UMEM bound to that queue sets them up (they are mapped through its fd), and
//! every later socket of the UMEM on the same queue shares them (`XDP_SHARED_UMEM` naming a
//! socket of the queue). A `DeviceQueue` is that pair's home for one (ifindex, queue) — the
//! counterpart of xdpilone's `DeviceQueue`:
//!
//! - every socket bound to the queue holds an `Arc<DeviceQueue>` (the UMEM lists the queues
//!   its sockets are bound to, and drops a queue when its last socket goes);
//! - it records the live sockets bound there, oldest first (a later socket names the oldest
//!   one in `sxdp_shared_umem_fd`);
//! - the two rings are driven by one socket at a time, which holds them directly (the fast
//!   path touches no lock and no `Arc`); when that socket is dropped while others are still
//!   bound to the queue, the rings come back here, with their counters and the frames in
//!   them ("parked"), and the next socket of the queue that asks for its rings takes them
//!   ([`DeviceQueue::take_parked`], signalled by a generation counter so that asking costs one
//!   relaxed load while nothing was parked);
//! - it keeps the RX and TX rings of dropped sockets the kernel keeps alive ("retired"; see
//!   [`crate::xsk::socket`]'s "Closing a socket"), until the queue's last socket is gone.
//!
//! The UMEM itself owns only its memory and its registration (`XDP_UMEM_REG`), plus the list
//! of its queues; no ring of a socket is parked inside it, and this module knows nothing of
//! the `Umem` or the sockets (no cycle: `umem` → `queue`, `socket` → `umem` + `queue`).

use std::os::fd::RawFd;
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Mutex, MutexGuard};

use super::ring::{Consumer, MmapRing, Producer};
use crate::sys::xdp::XdpDesc;

/// The fill and completion rings of a queue, with their counters, between the socket that
/// drove them and the next one.
#[derive(Debug)]
pub(crate) struct ParkedRings {
    pub(crate) fill: Producer<MmapRing<u64>>,
    pub(crate) filled: u64,
    pub(crate) fill_rolled_back: Vec<u64>,
    pub(crate) completion: Consumer<MmapRing<u64>>,
    pub(crate) completed: u64,
    pub(crate) invalid: u64,
    /// The queue runs in zero-copy mode (see `Release::fill` in `reclaim.rs`).
    pub(crate) zero_copy: bool,
}

/// The RX and TX rings of a dropped socket that the kernel keeps alive.
#[derive(Debug)]
pub(crate) struct RetiredRings {
    pub(crate) rx: Option<Consumer<MmapRing<XdpDesc>>>,
    pub(crate) tx: Option<Producer<MmapRing<XdpDesc>>>,
}

/// What a [`DeviceQueue`] keeps under its lock.
#[derive(Debug, Default)]
pub(crate) struct QueueState {
    /// The fds of the live sockets bound here, oldest first. A socket removes its fd before it
    /// closes it; the UMEM's own socket stays (its fd lives, bound, as long as the UMEM).
    pub(crate) fds: Vec<RawFd>,
    /// The fill and completion rings while no socket drives them.
    pub(crate) parked: Option<ParkedRings>,
    /// RX and TX rings of dropped sockets of this queue that the kernel keeps alive (the
    /// UMEM's own socket; a socket whose fill and completion rings were parked): their frames
    /// come back when the queue's rings are let go.
    pub(crate) retired: Vec<RetiredRings>,
}

/// The per-queue owner of the fill and completion rings of one (ifindex, queue) of a UMEM
/// (see the module docs).
#[derive(Debug)]
pub(crate) struct DeviceQueue {
    ifindex: u32,
    queue: u32,
    state: Mutex<QueueState>,
    /// Bumped (under `state`'s lock) whenever rings are parked: a lock-free hint for the
    /// sockets of the queue, which look under the lock only when it changed since they last
    /// looked.
    generation: AtomicU32,
}

impl DeviceQueue {
    /// A queue whose first socket is `fd`.
    pub(crate) fn new(ifindex: u32, queue: u32, fd: RawFd) -> DeviceQueue {
        DeviceQueue {
            ifindex,
            queue,
            state: Mutex::new(QueueState {
                fds: vec![fd],
                ..QueueState::default()
            }),
            generation: AtomicU32::new(0),
        }
    }

    /// The interface index.
    #[inline]
    pub(crate) fn ifindex(&self) -> u32 {
        self.ifindex
    }

    /// The queue id.
    #[inline]
    pub(crate) fn queue(&self) -> u32 {
        self.queue
    }

    /// True if this is (ifindex, queue).
    pub(crate) fn is(&self, ifindex: u32, queue: u32) -> bool {
        self.ifindex == ifindex && self.queue == queue
    }

    /// The lock. Lock order: the UMEM's state first, then a queue's.
    pub(crate) fn lock(&self) -> MutexGuard<'_, QueueState> {
        // A poisoned lock only means another thread panicked while holding it; the state is
        // a few plain fields that stay consistent.
        self.state
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// The current parking generation (one relaxed load: the fast path of a socket that has
    /// no fill ring).
    #[inline]
    pub(crate) fn generation(&self) -> u32 {
        self.generation.load(Ordering::Relaxed)
    }

    /// Parks the queue's fill and completion rings for the next socket of the queue.
    /// `state` is this queue's, locked.
    pub(crate) fn park(&self, state: &mut QueueState, rings: ParkedRings) {
        state.parked = Some(rings);
        self.generation.fetch_add(1, Ordering::Relaxed);
    }

    /// Takes the parked rings, if any, with the generation seen under the lock (nothing
    /// parked after that read is missed by this look, nor skipped by the next).
    pub(crate) fn take_parked(&self) -> (u32, Option<ParkedRings>) {
        let mut state = self.lock();
        let seen = self.generation();
        (seen, state.parked.take())
    }
}
