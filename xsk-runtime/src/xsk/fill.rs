//! The fill ring: user space gives the kernel empty frames to receive into.

use std::os::fd::OwnedFd;
use std::sync::Arc;

use super::batch::{reclaim_into, ring_fd, wakeup_result, write_batch_common};
use super::completion::CompletionRing;
use super::ring::{MmapRing, Producer, WriteBatch};
use super::rx::{RxBatch, RxRing};
use super::umem::{Frame, FreeList, Umem};
use crate::error::Result;
use crate::sys::xdp;

/// The fill ring: user space gives the kernel empty frames to receive into.
#[derive(Debug)]
pub struct FillRing {
    pub(super) ring: Producer<MmapRing<u64>>,
    pub(super) umem: Umem,
    /// The socket wake-ups go to: `None` for the UMEM's own socket (whose fd `umem` keeps
    /// open), else a socket of this queue, kept open by this handle.
    pub(super) fd: Option<Arc<OwnedFd>>,
    pub(super) need_wakeup: bool,
    pub(super) filled: u64,
    /// Frame addresses of dropped (rolled back) batches, until [`FillRing::reclaim`].
    pub(super) rolled_back: Vec<u64>,
}

impl FillRing {
    /// Reserves up to `n` entries; push frames into the batch.
    #[inline]
    pub fn reserve(&mut self, n: u32) -> FillBatch<'_> {
        let umem_id = self.umem.id();
        FillBatch {
            batch: Some(self.ring.reserve(n)),
            umem_id,
            filled: &mut self.filled,
            rolled_back: &mut self.rolled_back,
        }
    }

    /// Moves up to `max` frames from `free` into the ring (as many as fit); returns how many.
    /// Frames of rolled-back batches go back to `free` first.
    #[inline]
    pub fn fill_from(&mut self, free: &mut FreeList, max: u32) -> u32 {
        if !self.rolled_back.is_empty() {
            self.reclaim(free);
        }
        // One check for the whole list instead of one per frame (`FillBatch::push`).
        if free.umem_id() != self.umem.id() {
            return 0;
        }
        let want = max.min(free.len().min(u32::MAX as usize) as u32);
        if want == 0 {
            return 0;
        }
        let mut batch = self.ring.reserve(want);
        // `want <= free.len()`: every reserved entry gets a frame, and the push cannot fail.
        for _ in 0..batch.len() {
            let Some(frame) = free.pop() else { break };
            let _ = batch.push(frame.into_addr());
        }
        let n = batch.submit();
        self.filled += u64::from(n);
        n
    }

    /// Receives up to `max` packets from `rx` and hands their frames straight back to this
    /// fill ring, as many as it has room for (the rxdrop loop: libxdp's `xsk_ring_cons__peek`
    /// on RX, `xsk_ring_prod__reserve` on fill, addresses copied slot to slot, submit,
    /// release). Returns how many frames went back. Packets that do not fit stay in the RX
    /// ring for the next call. The UMEM is checked once for the batch: if `rx` belongs to a
    /// socket of another UMEM, nothing moves and 0 is returned.
    ///
    /// Counts like [`RxRing::recv`] followed by [`FillBatch::push`] of every frame:
    /// [`RxRing::received`] and [`FillRing::filled`] both grow by the return value.
    #[inline]
    pub fn refill_from_rx(&mut self, rx: &mut RxRing, max: u32) -> u32 {
        let mut packets = rx.recv(max);
        if packets.is_empty() {
            return 0;
        }
        let mut batch = self.reserve(packets.len());
        packets.recycle_into(&mut batch);
        let n = batch.submit();
        packets.release();
        n
    }

    /// Moves up to `max` completed frames from `comp` straight back into this fill ring, as
    /// many as it has room for (libxdp's l2fwd step: completion entries copied to fill
    /// entries, submit, release), without the round trip through a [`FreeList`]. Returns how
    /// many frames went back; those that do not fit stay in the completion ring for the next
    /// call. The idle case (nothing completed) costs a compare of the completion ring's cached
    /// indices and one load of its producer index, inline. Nothing moves (0) if `comp` belongs
    /// to another UMEM.
    ///
    /// Counts like [`CompletionRing::complete_into`] followed by [`FillRing::fill_from`]:
    /// [`CompletionRing::completed`] and [`FillRing::filled`] both grow by the return value;
    /// an address outside the UMEM (a kernel bug) is taken, counted as invalid, never queued.
    #[inline]
    pub fn refill_from_completions(&mut self, comp: &mut CompletionRing, max: u32) -> u32 {
        if comp.ring.available(max) == 0 {
            return 0;
        }
        self.refill_some_from_completions(comp, max)
    }

    /// [`Self::refill_from_completions`] once something is known to be completed: out of
    /// line, so that the idle check stays small where it is inlined.
    #[inline(never)]
    fn refill_some_from_completions(&mut self, comp: &mut CompletionRing, max: u32) -> u32 {
        if comp.umem.id() != self.umem.id() {
            return 0;
        }
        let layout = self.umem.layout();
        let mut src = comp.ring.peek(max);
        let mut dst = self.ring.reserve(src.len());
        let (taken, written) = src.transfer_to(&mut dst, |a| layout.split(a).map(|(b, _)| b));
        dst.submit();
        src.release_first(taken);
        comp.completed += u64::from(written);
        comp.invalid += u64::from(taken - written);
        self.filled += u64::from(written);
        written
    }

    /// True if the kernel asks for a wake-up to go on receiving (`XDP_RING_NEED_WAKEUP`).
    #[inline]
    pub fn needs_wakeup(&self) -> bool {
        self.ring.needs_wakeup()
    }

    /// Wakes the kernel's RX processing (`recvfrom`, non-blocking) if the socket uses
    /// need_wakeup and the kernel set the flag; otherwise does nothing. Returns whether a
    /// syscall was made.
    #[inline]
    pub fn wake_if_needed(&self) -> Result<bool> {
        if self.need_wakeup && self.ring.needs_wakeup() {
            self.wake()?;
            return Ok(true);
        }
        Ok(false)
    }

    /// Wakes the kernel's RX processing unconditionally (`recvfrom(MSG_DONTWAIT)`).
    #[inline]
    pub fn wake(&self) -> Result<()> {
        wakeup_result(
            xdp::wake_rx(ring_fd(&self.umem, &self.fd)),
            "recvfrom(AF_XDP) wake-up",
        )
    }

    /// The ring's number of entries.
    pub fn size(&self) -> u32 {
        self.ring.size()
    }

    /// Frames submitted that the kernel has not taken yet (still in the ring).
    pub fn pending(&self) -> u32 {
        self.ring.outstanding()
    }

    /// Frames submitted so far.
    pub fn filled(&self) -> u64 {
        self.filled
    }

    /// Frames pushed into batches that were dropped without [`FillBatch::submit`]: held here
    /// until [`reclaim`](FillRing::reclaim) (or [`fill_from`](FillRing::fill_from)) puts them
    /// on a free list.
    pub fn rolled_back(&self) -> usize {
        self.rolled_back.len()
    }

    /// Moves the frames of rolled-back batches onto `free` (of this ring's UMEM); returns how
    /// many.
    pub fn reclaim(&mut self, free: &mut FreeList) -> u32 {
        reclaim_into(&self.umem, &mut self.rolled_back, free)
    }
}

/// Reserved fill ring entries: a transaction. [`push`](FillBatch::push) moves a frame in;
/// [`submit`](FillBatch::submit) publishes the frames pushed to the kernel and returns the
/// unused reservation to the ring.
///
/// Dropping the batch without `submit` rolls it back: nothing is published, the whole
/// reservation is free again, and the frames pushed are handed back to the [`FillRing`],
/// which keeps them until [`FillRing::reclaim`] or the next [`FillRing::fill_from`] puts
/// them on a free list ([`FillRing::rolled_back`] counts them). So an early return (`?`)
/// between `reserve` and `submit` neither sends the kernel a half-built batch nor loses a
/// frame.
#[must_use = "a FillBatch publishes nothing unless submitted; dropping it rolls back"]
#[derive(Debug)]
pub struct FillBatch<'a> {
    pub(super) batch: Option<WriteBatch<'a, MmapRing<u64>>>,
    pub(super) umem_id: u32,
    pub(super) filled: &'a mut u64,
    pub(super) rolled_back: &'a mut Vec<u64>,
}

write_batch_common!(
    FillBatch,
    filled,
    "Publishes the pushed frames; returns how many."
);

impl FillBatch<'_> {
    /// Moves `frame` into the next entry; gives it back if the batch is full or the frame
    /// belongs to another UMEM.
    #[inline]
    pub fn push(&mut self, frame: Frame) -> std::result::Result<(), Frame> {
        if frame.umem_id() != self.umem_id {
            return Err(frame);
        }
        let Some(b) = self.batch.as_mut() else {
            return Err(frame);
        };
        match b.push(frame.addr()) {
            Ok(()) => {
                // The frame now belongs to the ring: its handle is consumed.
                let _ = frame.into_addr();
                Ok(())
            }
            Err(_) => Err(frame),
        }
    }
}

impl Drop for FillBatch<'_> {
    /// Rolls back (see the type's docs).
    fn drop(&mut self) {
        if let Some(b) = self.batch.take() {
            for i in 0..b.written() {
                if let Some(addr) = b.get_written(i) {
                    self.rolled_back.push(addr);
                }
            }
            // Dropping the raw batch returns the reservation: nothing was published.
        }
    }
}

impl RxBatch<'_> {
    /// Hands the frames of the packets not taken yet straight to `fill` (as many as it has room
    /// for), without making an [`RxPacket`](super::umem::RxPacket) of each: the UMEM is checked
    /// once for the batch, and each descriptor's address is masked to its frame and copied to the
    /// next fill entry. Returns how many frames went into `fill`. The packets moved count as taken
    /// (released by [`release`](RxBatch::release) or on drop), those that did not fit stay for the
    /// iterator or the next `recv`. Nothing moves (0) if `fill` belongs to another UMEM. See
    /// [`FillRing::refill_from_rx`] for the whole rxdrop step in one call.
    ///
    /// Frame ownership is as with `next` + [`FillBatch::push`]: a frame goes from the RX
    /// ring into the fill batch, so it is published by [`FillBatch::submit`] or, if the fill
    /// batch is dropped, held by the fill ring for [`FillRing::reclaim`].
    #[inline]
    pub fn recycle_into(&mut self, fill: &mut FillBatch<'_>) -> u32 {
        if fill.umem_id != self.layout.id {
            return 0;
        }
        let (Some(src), Some(dst)) = (self.batch.as_mut(), fill.batch.as_mut()) else {
            return 0;
        };
        let layout = self.layout;
        let (taken, written) = src.transfer_to(dst, |d| layout.split(d.addr).map(|(b, _)| b));
        // An address outside the UMEM (a kernel bug) is taken and counted, never queued.
        *self.received += u64::from(written);
        *self.invalid += u64::from(taken - written);
        written
    }
}
