//! The RX ring: the kernel delivers received packets.

use super::batch::read_batch_common;
use super::ring::{Consumer, MmapRing, ReadBatch};
use super::umem::{AddrLayout, RxPacket, Umem};
use crate::sys::xdp::XdpDesc;

/// The RX ring: the kernel delivers received packets.
#[derive(Debug)]
pub struct RxRing {
    pub(super) ring: Consumer<MmapRing<XdpDesc>>,
    pub(super) umem: Umem,
    pub(super) received: u64,
    pub(super) invalid: u64,
}

impl RxRing {
    /// Takes up to `n` received packets; iterate the batch to get them.
    #[inline]
    pub fn recv(&mut self, n: u32) -> RxBatch<'_> {
        RxBatch {
            batch: Some(self.ring.peek(n)),
            layout: self.umem.layout(),
            received: &mut self.received,
            invalid: &mut self.invalid,
        }
    }

    /// Packets waiting (refreshes the view of the kernel's index if none are cached).
    #[inline]
    pub fn available(&mut self) -> u32 {
        self.ring.available(u32::MAX)
    }

    /// The ring's number of entries.
    pub fn size(&self) -> u32 {
        self.ring.size()
    }

    /// Packets (descriptors) taken so far.
    pub fn received(&self) -> u64 {
        self.received
    }
}

/// Received packets. Iterating yields each as an [`RxPacket`], which owns its frame.
/// [`release`](RxBatch::release) — or dropping the batch — releases the entries the iterator
/// returned; those it did not return stay in the ring for the next `recv`.
#[must_use = "iterate the batch to get the packets"]
#[derive(Debug)]
pub struct RxBatch<'a> {
    pub(super) batch: Option<ReadBatch<'a, MmapRing<XdpDesc>>>,
    pub(super) layout: AddrLayout,
    pub(super) received: &'a mut u64,
    pub(super) invalid: &'a mut u64,
}

read_batch_common!(
    RxBatch,
    "Packets in the batch.",
    "True if nothing was received."
);

impl Iterator for RxBatch<'_> {
    type Item = RxPacket;

    #[inline]
    fn next(&mut self) -> Option<RxPacket> {
        let b = self.batch.as_mut()?;
        loop {
            let desc = b.next()?;
            match self.layout.split(desc.addr) {
                Some((base, offset)) => {
                    *self.received += 1;
                    return Some(RxPacket {
                        frame: self.layout.frame_at(base),
                        offset,
                        len: desc.len,
                        options: desc.options,
                    });
                }
                None => *self.invalid += 1,
            }
        }
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        self.batch.as_ref().map_or((0, Some(0)), |b| b.size_hint())
    }
}
