//! The TX ring: user space queues packets to send.

use std::os::fd::OwnedFd;
use std::sync::Arc;

use super::batch::{reclaim_into, ring_fd, wakeup_result, write_batch_common};
use super::ring::{MmapRing, Producer, WriteBatch};
use super::umem::{Frame, FreeList, RxPacket, Umem};
use crate::error::Result;
use crate::sys::xdp::{self, XdpDesc, XDP_PKT_CONTD, XDP_TX_METADATA};

/// The TX ring: user space queues packets to send.
#[derive(Debug)]
pub struct TxRing {
    pub(super) ring: Producer<MmapRing<XdpDesc>>,
    pub(super) umem: Umem,
    /// The socket (see [`FillRing`]'s field).
    pub(super) fd: Option<Arc<OwnedFd>>,
    pub(super) need_wakeup: bool,
    pub(super) transmitted: u64,
    /// Frame addresses of dropped (rolled back) batches, until [`TxRing::reclaim`].
    pub(super) rolled_back: Vec<u64>,
}

impl TxRing {
    /// Reserves up to `n` entries; push packets into the batch.
    #[inline]
    pub fn reserve(&mut self, n: u32) -> TxBatch<'_> {
        TxBatch {
            batch: Some(self.ring.reserve(n)),
            umem: &self.umem,
            transmitted: &mut self.transmitted,
            rolled_back: &mut self.rolled_back,
        }
    }

    /// Frames pushed into batches that were dropped without [`TxBatch::submit`]: held here
    /// until [`reclaim`](TxRing::reclaim) puts them on a free list.
    pub fn rolled_back(&self) -> usize {
        self.rolled_back.len()
    }

    /// Moves the frames of rolled-back batches onto `free` (of this ring's UMEM); returns how
    /// many.
    pub fn reclaim(&mut self, free: &mut FreeList) -> u32 {
        reclaim_into(&self.umem, &mut self.rolled_back, free)
    }

    /// True if the kernel asks for a `sendto` to go on sending (`XDP_RING_NEED_WAKEUP`).
    #[inline]
    pub fn needs_wakeup(&self) -> bool {
        self.ring.needs_wakeup()
    }

    /// Kicks the kernel to send what is queued (`sendto(MSG_DONTWAIT)`) if it needs it: always
    /// without need_wakeup, else only when the kernel set the flag. Returns whether a syscall
    /// was made. "Busy" answers (EAGAIN, EBUSY, ENOBUFS, ENETDOWN) are not errors: kick again
    /// later.
    #[inline]
    pub fn kick_if_needed(&self) -> Result<bool> {
        if !self.need_wakeup || self.ring.needs_wakeup() {
            self.kick()?;
            return Ok(true);
        }
        Ok(false)
    }

    /// Kicks the kernel unconditionally.
    #[inline]
    pub fn kick(&self) -> Result<()> {
        wakeup_result(
            xdp::kick_tx(ring_fd(&self.umem, &self.fd)),
            "sendto(AF_XDP) TX kick",
        )
    }

    /// Entries submitted that the kernel has not consumed yet.
    #[inline]
    pub fn pending(&self) -> u32 {
        self.ring.outstanding()
    }

    /// The ring's number of entries.
    pub fn size(&self) -> u32 {
        self.ring.size()
    }

    /// Frames submitted so far.
    pub fn transmitted(&self) -> u64 {
        self.transmitted
    }
}

/// Reserved TX ring entries: a transaction. [`push`](TxBatch::push) moves a frame in with the
/// span to send; [`submit`](TxBatch::submit) publishes (then [`TxRing::kick_if_needed`]).
///
/// Dropping the batch without `submit` rolls it back like a
/// [`FillBatch`](super::socket::FillBatch): nothing is sent, and the frames pushed wait on the
/// [`TxRing`] for [`TxRing::reclaim`].
#[must_use = "a TxBatch sends nothing unless submitted; dropping it rolls back"]
#[derive(Debug)]
pub struct TxBatch<'a> {
    pub(super) batch: Option<WriteBatch<'a, MmapRing<XdpDesc>>>,
    pub(super) umem: &'a Umem,
    pub(super) transmitted: &'a mut u64,
    pub(super) rolled_back: &'a mut Vec<u64>,
}

write_batch_common!(
    TxBatch,
    transmitted,
    "Publishes the pushed packets; returns how many."
);

impl TxBatch<'_> {
    /// Queues `len` bytes at `offset` in `frame` for sending. Gives the frame back if the
    /// batch is full, the frame belongs to another UMEM, or the kernel would find the
    /// descriptor invalid: empty (`len` 0), not inside the frame (`offset + len` beyond the
    /// frame size), or starting inside the TX metadata area (`offset` below the UMEM's
    /// `tx_metadata_len`). The kernel skips an invalid TX descriptor without ever completing
    /// it, which would lose the frame; so it never gets one from here.
    #[inline]
    pub fn push(&mut self, frame: Frame, offset: u32, len: u32) -> std::result::Result<(), Frame> {
        self.push_with_options(frame, offset, len, 0)
    }

    /// Like [`push`](TxBatch::push) with descriptor `options` (`XDP_PKT_CONTD` on all but the
    /// last fragment of a multi-buffer packet; `XDP_TX_METADATA`). Other option bits make the
    /// descriptor invalid: the frame is given back.
    #[inline]
    pub fn push_with_options(
        &mut self,
        frame: Frame,
        offset: u32,
        len: u32,
        options: u32,
    ) -> std::result::Result<(), Frame> {
        let fs = self.umem.frame_size();
        // The kernel's checks (`xp_aligned_validate_desc`), stricter in unaligned mode (a
        // Frame owns one chunk, so its packets stay in it).
        if frame.umem_id() != self.umem.id()
            || len == 0
            || offset < self.umem.tx_metadata_len()
            || offset >= fs
            || len > fs - offset
            || options & !(XDP_PKT_CONTD | XDP_TX_METADATA) != 0
            || self.remaining() == 0
        {
            return Err(frame);
        }
        let desc = XdpDesc {
            addr: self.umem.join_addr(frame.into_addr(), offset),
            len,
            options,
        };
        if let Some(b) = self.batch.as_mut() {
            // Cannot fail: remaining() > 0. The frame now belongs to the ring.
            let _ = b.push(desc);
        }
        Ok(())
    }

    /// Queues a received packet to be sent as it is now (its span, e.g. after rewriting it in
    /// place; clamped to the frame); gives it back if the batch is full or the span is not a
    /// valid TX descriptor (see [`push`](TxBatch::push)).
    #[inline]
    pub fn push_packet(&mut self, packet: RxPacket) -> std::result::Result<(), RxPacket> {
        if self.remaining() == 0 || packet.frame.umem_id() != self.umem.id() {
            return Err(packet);
        }
        let (offset, len, options) = (packet.offset, packet.len, packet.options);
        let fs = self.umem.frame_size();
        let offset = offset.min(fs);
        let len = len.min(fs - offset);
        match self.push_with_options(packet.into_frame(), offset, len, options) {
            Ok(()) => Ok(()),
            // E.g. an empty span: the packet comes back whole.
            Err(frame) => Err(RxPacket {
                frame,
                offset,
                len,
                options,
            }),
        }
    }
}

impl Drop for TxBatch<'_> {
    /// Rolls back (see the type's docs); a submitted batch (the common case) costs one test
    /// where it is dropped.
    #[inline]
    fn drop(&mut self) {
        if self.batch.is_some() {
            self.roll_back();
        }
    }
}

impl TxBatch<'_> {
    /// The frames of a batch dropped unsubmitted go onto the rolled-back list.
    #[cold]
    #[inline(never)]
    fn roll_back(&mut self) {
        if let Some(b) = self.batch.take() {
            for i in 0..b.written() {
                if let Some(desc) = b.get_written(i) {
                    // Pushed descriptors always lie in the UMEM (checked by `push`).
                    if let Some((base, _)) = self.umem.split_addr(desc.addr) {
                        self.rolled_back.push(base);
                    }
                }
            }
        }
    }
}
