//! Frames are never lost on close: what happens to the frames in a socket's rings when the
//! socket is dropped.
//!
//! A socket's rings may hold frames: on the fill ring (given to the kernel, not yet used), on
//! the RX ring (received, not yet read), on the TX ring (queued, not yet sent), on the
//! completion ring (sent, not yet taken back), and in rolled-back batches. When the kernel
//! lets go of the socket — its file is released when its fd is closed and its rings are
//! unmapped — none of them will ever be touched by the kernel again, and they can go back to
//! user space. So dropping a socket:
//!
//! 1. takes stock of its rings: the entries between each ring's two indices, read in the
//!    order frames travel (fill before RX, TX before completion) so that a frame the kernel
//!    moves meanwhile is seen at least once, and counted once (duplicates are removed);
//! 2. unmaps the rings and closes the fd (the kernel releases the socket before those system
//!    calls return, after it has finished any packet in flight);
//! 3. keeps the frames in the UMEM until [`Umem::reclaim`] puts them on a [`FreeList`].
//!
//! Two kinds of socket stay alive in the kernel after their [`XskSocket`] is dropped, and so do
//! their frames: the UMEM's own socket (its fd lives as long as the [`Umem`]), and a socket whose
//! fill and completion rings were left to the other sockets of its queue (their mappings hold its
//! file). Their RX and TX rings are kept mapped in the queue's [`DeviceQueue`](super::queue)
//! ("retired"): received packets are taken back by [`Umem::reclaim`] (it consumes those RX rings,
//! and the completion ring of a queue whose rings wait for a new socket, as their consumer), the
//! rest when the queue's last socket is dropped — or, for the UMEM's own queue, by [`Umem::close`].
//!
//! What cannot come back: frames the kernel took from the fill ring and then failed to
//! deliver (an RX ring that overflowed) sit in the kernel's own free list and die with the
//! socket; and with traffic still flowing to a socket that shares its queue's fill ring, a
//! frame the kernel moves into that socket's RX ring during the close is lost. Detach the
//! program (or stop the traffic) before closing to account for every frame. A frame is never
//! handed out twice: in zero-copy mode, where the driver works asynchronously, the TX ring of
//! a socket whose completions go to a ring that outlives it is left alone, and so are the
//! frames on a fill ring (the driver may take from it until the kernel's deferred teardown of
//! the queue).

use std::os::fd::{AsRawFd, OwnedFd};
use std::sync::Arc;

use super::queue::{ParkedRings, QueueState, RetiredRings};
use super::ring::{Consumer, MmapRing, Producer};
use super::socket::XskSocket;
use super::umem::{AddrLayout, FreeList, Umem};
use crate::sys::xdp::XdpDesc;

impl Drop for XskSocket {
    /// Closes the socket and gives its frames back to the UMEM ([`Umem::reclaim`]); see
    /// "Closing a socket" in the module docs.
    fn drop(&mut self) {
        let is_owner = self.own_fd.is_none();
        let raw = self.fd().as_raw_fd();
        let (fill, completion) = (self.fill.take(), self.completion.take());
        let (rx, tx) = (self.rx.take(), self.tx.take());
        let own_fd = self.own_fd.take();
        let umem = self.umem.clone();
        let mut release = Release::default();
        // Frames of rolled-back batches are on the user side: they come back in any case.
        let tx = tx.map(|t| {
            release.held(t.rolled_back);
            t.ring
        });
        let rx = rx.map(|r| r.ring);
        {
            // Lock order: the UMEM's state, then the queue's.
            let mut state = umem.state();
            let pos = state
                .queues
                .iter()
                .position(|q| Arc::ptr_eq(q, &self.device));
            let mut entry = self.device.lock();
            let last = pos.is_some() && {
                // The UMEM's own socket stays bound (its fd lives with the UMEM): later
                // sockets on its queue still share with it.
                if !is_owner {
                    entry.fds.retain(|&fd| fd != raw);
                }
                entry.fds.is_empty()
            };
            match pos {
                // The last socket of the queue (never the UMEM's own): the queue's rings and
                // every socket they kept alive go now, with this one.
                Some(pos) if last => {
                    state.queues.swap_remove(pos);
                    release.queue(std::mem::take(&mut *entry));
                    if let Some(f) = fill {
                        release.fill(f.ring, f.rolled_back, self.zero_copy);
                    }
                    if let Some(c) = completion {
                        release.completion(c.ring);
                    }
                    if let Some(rx) = rx {
                        release.rx(rx);
                    }
                    if let Some(tx) = tx {
                        release.tx(tx, true);
                    }
                }
                Some(_) => {
                    // Other sockets still receive on this queue through these rings: park
                    // them, mapped, in the queue for the next of those sockets that asks.
                    if let (Some(fill), Some(completion)) = (fill, completion) {
                        let parked = ParkedRings {
                            fill: fill.ring,
                            filled: fill.filled,
                            fill_rolled_back: fill.rolled_back,
                            completion: completion.ring,
                            completed: completion.completed,
                            invalid: completion.invalid,
                            zero_copy: self.zero_copy,
                        };
                        self.device.park(&mut entry, parked);
                    }
                    if is_owner || self.maps_queue_rings {
                        // The kernel keeps this socket (its fd lives with the UMEM, or the
                        // parked rings' mappings hold its file): so do we, its rings.
                        entry.retired.push(RetiredRings { rx, tx });
                    } else {
                        // Only this handle holds the socket: it goes now. Its completions go
                        // to the queue's ring, which lives on; in zero-copy mode the driver
                        // may send from the TX ring until the socket is gone, so those frames
                        // are left alone rather than risk handing one out twice.
                        if let Some(rx) = rx {
                            release.rx(rx);
                        }
                        if let Some(tx) = tx {
                            release.tx(tx, !self.zero_copy);
                        }
                    }
                }
                // Not registered (cannot happen): let everything go.
                None => {
                    drop((fill, completion, rx, tx));
                }
            }
        }
        if let Some(fd) = own_fd {
            release.fd(fd);
        }
        if release.is_empty() {
            return;
        }
        let addrs = release.finish(umem.layout());
        if !addrs.is_empty() {
            umem.state().reclaimed.extend(addrs);
        }
    }
}

/// Rings (and fds) to take stock of and let go of together.
#[derive(Debug, Default)]
pub(super) struct Release {
    fills: Vec<Producer<MmapRing<u64>>>,
    rxs: Vec<Consumer<MmapRing<XdpDesc>>>,
    txs: Vec<Producer<MmapRing<XdpDesc>>>,
    completions: Vec<Consumer<MmapRing<u64>>>,
    fds: Vec<Arc<OwnedFd>>,
    /// Frame addresses held on the user side (rolled-back batches): no kernel involved.
    held: Vec<u64>,
}

impl Release {
    pub(super) fn is_empty(&self) -> bool {
        self.fills.is_empty()
            && self.rxs.is_empty()
            && self.txs.is_empty()
            && self.completions.is_empty()
            && self.fds.is_empty()
            && self.held.is_empty()
    }

    /// A fill ring. In zero-copy mode its frames are given up: the driver may go on taking
    /// frames from it until the kernel's deferred teardown of the queue, after the close.
    pub(super) fn fill(
        &mut self,
        ring: Producer<MmapRing<u64>>,
        rolled_back: Vec<u64>,
        zero_copy: bool,
    ) {
        if !zero_copy {
            self.fills.push(ring);
        }
        self.held.extend(rolled_back);
    }

    pub(super) fn completion(&mut self, ring: Consumer<MmapRing<u64>>) {
        self.completions.push(ring);
    }

    pub(super) fn rx(&mut self, ring: Consumer<MmapRing<XdpDesc>>) {
        self.rxs.push(ring);
    }

    /// A TX ring; `take_stock` false leaves its queued frames alone (see the module docs).
    pub(super) fn tx(&mut self, ring: Producer<MmapRing<XdpDesc>>, take_stock: bool) {
        if take_stock {
            self.txs.push(ring);
        }
        // Otherwise dropped right here: unmapped, its frames given up.
    }

    pub(super) fn held(&mut self, addrs: Vec<u64>) {
        self.held.extend(addrs);
    }

    pub(super) fn fd(&mut self, fd: Arc<OwnedFd>) {
        self.fds.push(fd);
    }

    pub(super) fn parked(&mut self, o: ParkedRings) {
        self.fill(o.fill, o.fill_rolled_back, o.zero_copy);
        self.completion(o.completion);
    }

    pub(super) fn retired(&mut self, r: RetiredRings) {
        if let Some(rx) = r.rx {
            self.rx(rx);
        }
        if let Some(tx) = r.tx {
            self.tx(tx, true);
        }
    }

    /// Everything a queue keeps: its parked rings and retired sockets.
    pub(super) fn queue(&mut self, entry: QueueState) {
        if let Some(o) = entry.parked {
            self.parked(o);
        }
        for r in entry.retired {
            self.retired(r);
        }
    }

    /// Takes stock (fill, then RX, then TX, then completion: the order frames travel in),
    /// unmaps every ring and closes every fd, and returns the frames, each once.
    pub(super) fn finish(mut self, layout: AddrLayout) -> Vec<u64> {
        let mut addrs = std::mem::take(&mut self.held);
        let mut base = |addr: u64| {
            // Addresses outside the UMEM (a kernel bug) are never turned into frames.
            if let Some((b, _)) = layout.split(addr) {
                addrs.push(b);
            }
        };
        for f in &self.fills {
            f.for_each_outstanding(&mut base);
        }
        for rx in &mut self.rxs {
            rx.drain(|d| base(d.addr));
        }
        for tx in &self.txs {
            tx.for_each_outstanding(|d| base(d.addr));
        }
        for c in &mut self.completions {
            c.drain(&mut base);
        }
        // Unmap and close: the kernel releases the sockets before these calls return.
        drop(self);
        addrs.sort_unstable();
        addrs.dedup();
        addrs
    }
}

impl Umem {
    /// Moves the frames that came back from closed sockets onto `free` (see
    /// [`crate::xsk::socket`]'s "Closing a socket"), first taking the packets waiting on the RX
    /// rings of dropped sockets the kernel keeps alive, and the frames on the completion rings
    /// of queues whose rings wait for a new socket (and their rolled-back fill batches).
    /// Returns how many moved (0, moving none, if `free` belongs to another UMEM).
    ///
    /// A dropped socket's frames — on its fill ring, unread on RX, unsent on TX, untaken on
    /// the completion ring, in rolled-back batches — are found by reading each ring between
    /// its two indices, in the order frames travel (fill before RX, TX before completion), so
    /// a frame the kernel moves meanwhile is seen at least once, and counted once; they are
    /// handed out only after the kernel has let go of the socket (its fd closed and its rings
    /// unmapped: the kernel releases it before those calls return).
    ///
    /// What cannot come back: a frame the kernel took from the fill ring and could not
    /// deliver (its RX ring was full) waits in the kernel's own free list and dies with the
    /// socket; with traffic still flowing to a socket that shares its queue's fill ring, a
    /// frame the kernel moves into its RX ring during the close is lost; in zero-copy mode,
    /// the frames on a fill ring, and the unsent TX frames of a socket whose completions go to
    /// a ring that outlives it, are given up (the driver may still use them: a frame is never
    /// handed out twice). Detach
    /// the program, or stop the traffic, before closing to account for every frame.
    pub fn reclaim(&self, free: &mut FreeList) -> u32 {
        if free.umem_id() != self.id() {
            return 0;
        }
        let layout = self.layout();
        let mut state = self.state();
        let mut addrs = std::mem::take(&mut state.reclaimed);
        let mut base = |addr: u64| {
            if let Some((b, _)) = layout.split(addr) {
                addrs.push(b);
            }
        };
        for queue in &state.queues {
            let mut entry = queue.lock();
            let entry = &mut *entry;
            for r in &mut entry.retired {
                if let Some(rx) = r.rx.as_mut() {
                    rx.drain(|d| base(d.addr));
                }
            }
            if let Some(o) = entry.parked.as_mut() {
                // Counted as completed: whoever takes the rings over counts on from here.
                o.completed += u64::from(o.completion.drain(&mut base));
                // Frames of rolled-back fill batches are on the user side already.
                for addr in o.fill_rolled_back.drain(..) {
                    base(addr);
                }
            }
        }
        drop(state);
        let n = addrs.len() as u32;
        for addr in addrs {
            // Cannot fail: same UMEM, checked above.
            let _ = free.push(self.frame_at(addr));
        }
        n
    }

    /// Frames from closed sockets waiting for [`Umem::reclaim`] (not counting those still on
    /// rings the kernel keeps).
    pub fn reclaimable(&self) -> usize {
        self.state().reclaimed.len()
    }

    /// Closes the UMEM for good and puts every frame that is in a ring of it onto `free`:
    /// the ones [`reclaim`](Umem::reclaim) would move, and those on the rings the kernel kept
    /// for the UMEM's own socket (see [`crate::xsk::socket`]'s "Closing a socket"), which come
    /// back only now that its socket is closed. Returns how many, or gives the handle back if
    /// other handles or sockets still use the UMEM (then nothing happens).
    pub fn close(self, free: &mut FreeList) -> std::result::Result<u32, Umem> {
        let layout = self.layout();
        let (fd, state, area) = self.try_into_parts()?;
        let mut release = Release::default();
        release.held(state.reclaimed);
        for queue in state.queues {
            release.queue(std::mem::take(&mut *queue.lock()));
        }
        release.fd(Arc::new(fd));
        let addrs = release.finish(layout);
        // The memory goes last, after the kernel let go of the socket.
        drop(area);
        if free.umem_id() != layout.id {
            return Ok(0);
        }
        let n = addrs.len() as u32;
        for addr in addrs {
            // Same UMEM, checked above.
            let _ = free.push(layout.frame_at(addr));
        }
        Ok(n)
    }
}
