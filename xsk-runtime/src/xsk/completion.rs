//! The completion ring: the kernel hands back frames whose packets it has sent.

use super::batch::read_batch_common;
use super::ring::{Consumer, MmapRing, ReadBatch};
use super::umem::{AddrLayout, Frame, FreeList, Umem};

/// The completion ring: the kernel hands back frames whose packets it has sent.
#[derive(Debug)]
pub struct CompletionRing {
    pub(super) ring: Consumer<MmapRing<u64>>,
    pub(super) umem: Umem,
    pub(super) completed: u64,
    pub(super) invalid: u64,
}

impl CompletionRing {
    /// Takes up to `n` completed frames; iterate the batch to get them.
    #[inline]
    pub fn peek(&mut self, n: u32) -> CompletionBatch<'_> {
        CompletionBatch {
            batch: Some(self.ring.peek(n)),
            layout: self.umem.layout(),
            completed: &mut self.completed,
            invalid: &mut self.invalid,
        }
    }

    /// Moves up to `max` completed frames onto `free`; returns how many (0, taking nothing
    /// from the ring, if `free` belongs to another UMEM).
    #[inline]
    pub fn complete_into(&mut self, free: &mut FreeList, max: u32) -> u32 {
        // The common case of a polling loop first, inline: nothing completed costs a compare of
        // the cached indices and one load of the kernel's producer index, no batch (measured in
        // xsk-echo's busy-poll loop: ~110 instructions a round before, most of them here).
        if self.ring.available(max) == 0 {
            return 0;
        }
        self.complete_some_into(free, max)
    }

    /// [`Self::complete_into`] once something is known to be completed: out of line, so that
    /// the idle check stays small where it is inlined.
    #[inline(never)]
    fn complete_some_into(&mut self, free: &mut FreeList, max: u32) -> u32 {
        if free.umem_id() != self.umem.id() {
            return 0;
        }
        // The entries straight onto the list, not through a `CompletionBatch` of `Frame`s:
        // one UMEM check for the batch instead of one per frame. A plain indexed loop (the
        // slot masked per entry): a polling loop completes a frame or a few at a time, where
        // the set-up of `ReadBatch::for_each_entry`'s two runs costs more than it saves.
        let layout = self.umem.layout();
        let batch = self.ring.peek(max);
        let n = batch.len();
        let ok = free.push_bases(n, |i| layout.split(batch.get(i)?).map(|(base, _)| base));
        batch.release();
        self.completed += u64::from(ok);
        self.invalid += u64::from(n - ok);
        ok
    }

    /// The ring's number of entries.
    pub fn size(&self) -> u32 {
        self.ring.size()
    }

    /// Frames taken so far.
    pub fn completed(&self) -> u64 {
        self.completed
    }
}

/// Completed frames taken from the completion ring. Iterating yields each as a [`Frame`].
/// [`release`](CompletionBatch::release) — or dropping the batch — releases the entries the
/// iterator returned; those it did not return stay in the ring for the next peek.
#[must_use = "iterate the batch to get the frames back"]
#[derive(Debug)]
pub struct CompletionBatch<'a> {
    pub(super) batch: Option<ReadBatch<'a, MmapRing<u64>>>,
    pub(super) layout: AddrLayout,
    pub(super) completed: &'a mut u64,
    pub(super) invalid: &'a mut u64,
}

read_batch_common!(
    CompletionBatch,
    "Entries in the batch.",
    "True if nothing was completed."
);

impl Iterator for CompletionBatch<'_> {
    type Item = Frame;

    #[inline]
    fn next(&mut self) -> Option<Frame> {
        let b = self.batch.as_mut()?;
        loop {
            let addr = b.next()?;
            match self.layout.split(addr) {
                Some((base, _)) => {
                    *self.completed += 1;
                    return Some(self.layout.frame_at(base));
                }
                None => *self.invalid += 1,
            }
        }
    }
}
