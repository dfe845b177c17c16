//! The single-producer / single-consumer ring protocol of AF_XDP, as libxdp drives it.
//!
//! Every AF_XDP ring is an array of `2^n` entries plus two free-running `u32` indices in shared
//! memory: the producer writes entries at `producer & mask` and then advances `producer`; the
//! consumer reads entries at `consumer & mask` and then advances `consumer`. A third word,
//! `flags`, carries `XDP_RING_NEED_WAKEUP`. The protocol, as in libxdp's `xsk.h`:
//!
//! - each side keeps a **cached** copy of both indices and touches the shared ones only when
//!   the cache cannot answer (the producer refreshes its view of the consumer only when the
//!   cached free space is too small; the consumer refreshes its view of the producer only when
//!   its cache is empty);
//! - the other side's index is read with an **acquire** load (so the entries it covers are
//!   visible), our own index is published with a **release** store (so the entries we wrote are
//!   visible before the index says so);
//! - the flags word is read with an atomic load (never a plain read of memory the kernel
//!   writes concurrently).
//!
//! [`Producer`] and [`Consumer`] implement the protocol over any [`RingMemory`]: the kernel's
//! mmap'ed rings ([`MmapRing`]), or a simulated ring in a model checker (the crate's `loom`
//! test drives this same code on separate threads). Transactions are RAII batches:
//! [`Producer::reserve`] gives a [`WriteBatch`] that publishes with [`WriteBatch::submit`] and
//! rolls the reservation back when dropped; [`Consumer::peek`] gives a [`ReadBatch`] that
//! releases with [`ReadBatch::release`] and rolls back (leaves the entries in the ring) when
//! dropped. Nothing on this path allocates or makes a system call.
//!
//! These raw rings move plain values (`u64` addresses, [`XdpDesc`](crate::abi::XdpDesc)); the typed
//! rings of [`crate::xsk::socket`] wrap them so that UMEM frames move as owned
//! [`crate::xsk::umem::Frame`]s.

use std::marker::PhantomData;
use std::sync::atomic::{AtomicU32, Ordering};

use crate::error::{Error, Result};
use crate::sys::mmap::Mmap;
use crate::sys::xdp::{XdpRingOffset, XDP_RING_NEED_WAKEUP};

/// The shared part of one ring: its two indices, its flags word and its entries.
///
/// # Safety
///
/// An implementation promises that [`entries`](RingMemory::entries) is a power of two that
/// does not change, that every slot index below it is valid for [`read`](RingMemory::read) and
/// [`write`](RingMemory::write), and that the index loads and stores have the stated ordering.
pub unsafe trait RingMemory {
    /// What one entry holds (`u64` for fill/completion, `XdpDesc` for RX/TX).
    type Item: Copy;
    /// The number of entries (a power of two).
    fn entries(&self) -> u32;
    /// Acquire load of the shared producer index.
    fn load_producer(&self) -> u32;
    /// Release store of the shared producer index.
    fn store_producer(&self, value: u32);
    /// Acquire load of the shared consumer index.
    fn load_consumer(&self) -> u32;
    /// Release store of the shared consumer index.
    fn store_consumer(&self, value: u32);
    /// Atomic load of the flags word.
    fn load_flags(&self) -> u32;
    /// Reads slot `slot` (already masked, `< entries`).
    ///
    /// # Safety
    /// The caller owns the slot as consumer: it lies between the consumer index and a producer
    /// index that was loaded with acquire.
    unsafe fn read(&self, slot: u32) -> Self::Item;
    /// Writes slot `slot` (already masked, `< entries`).
    ///
    /// # Safety
    /// The caller owns the slot as producer: it lies between the producer index and a consumer
    /// index (plus the ring size) that was loaded with acquire.
    unsafe fn write(&self, slot: u32, item: Self::Item);
}

/// The producing end of a ring (user space produces on the fill and TX rings).
#[derive(Debug)]
pub struct Producer<R: RingMemory> {
    mem: R,
    mask: u32,
    size: u32,
    cached_prod: u32,
    /// The consumer index plus `size` (libxdp's trick: free = cached_cons - cached_prod).
    cached_cons: u32,
}

impl<R: RingMemory> Producer<R> {
    /// Starts producing on `mem`, taking the current shared indices.
    pub fn new(mem: R) -> Producer<R> {
        let size = mem.entries();
        debug_assert!(size.is_power_of_two());
        let cached_prod = mem.load_producer();
        let cached_cons = mem.load_consumer().wrapping_add(size);
        Producer {
            mem,
            mask: size.wrapping_sub(1),
            size,
            cached_prod,
            cached_cons,
        }
    }

    /// The ring's number of entries.
    pub fn size(&self) -> u32 {
        self.size
    }

    /// How many entries can be reserved now, refreshing the view of the consumer if fewer
    /// than `wanted` are free in the cache.
    #[inline]
    pub fn free(&mut self, wanted: u32) -> u32 {
        let free = self.cached_cons.wrapping_sub(self.cached_prod);
        if free >= wanted {
            return free;
        }
        self.cached_cons = self.mem.load_consumer().wrapping_add(self.size);
        self.cached_cons.wrapping_sub(self.cached_prod)
    }

    /// Reserves up to `n` entries (fewer if the ring has less room; an empty batch if it is
    /// full). Write them with [`WriteBatch::push`], publish them with [`WriteBatch::submit`].
    #[inline]
    pub fn reserve(&mut self, n: u32) -> WriteBatch<'_, R> {
        let n = n.min(self.free(n));
        // `cached_prod` moves only when the batch is submitted: a batch that is dropped, or
        // even leaked with `mem::forget`, leaves nothing behind that a later submit could
        // publish (its slots are simply written again by the next batch).
        let start = self.cached_prod;
        WriteBatch {
            ring: self,
            start,
            len: n,
            written: 0,
        }
    }

    /// Reserves exactly `n` entries, or nothing (an empty batch) if fewer are free: libxdp's
    /// `xsk_ring_prod__reserve`, which is all or nothing. A producer that waits for room this
    /// way publishes whole batches, never a trickle of small ones while the ring is nearly
    /// full (each publish is a store to the index cache line the consumer polls).
    #[inline]
    pub fn reserve_exact(&mut self, n: u32) -> WriteBatch<'_, R> {
        let n = if self.free(n) >= n { n } else { 0 };
        let start = self.cached_prod;
        WriteBatch {
            ring: self,
            start,
            len: n,
            written: 0,
        }
    }

    /// True if the kernel set `XDP_RING_NEED_WAKEUP` on this ring (only meaningful for sockets
    /// bound with `XDP_USE_NEED_WAKEUP`).
    #[inline]
    pub fn needs_wakeup(&self) -> bool {
        self.mem.load_flags() & XDP_RING_NEED_WAKEUP != 0
    }

    /// Entries produced but not yet consumed, as far as the shared indices say now.
    pub fn outstanding(&self) -> u32 {
        self.cached_prod.wrapping_sub(self.mem.load_consumer())
    }

    /// Hands every entry produced and not yet consumed to `f`, oldest first, and returns how
    /// many: the entries between the consumer index (acquire load, now) and ours. They stay
    /// in the ring. For taking stock of a ring that is being closed (which frames the
    /// consumer never took).
    pub fn for_each_outstanding(&self, mut f: impl FnMut(R::Item)) -> u32 {
        let cons = self.mem.load_consumer();
        // A consumer index beyond ours (a broken consumer) yields at most the ring's size.
        let n = self.cached_prod.wrapping_sub(cons).min(self.size);
        for i in 0..n {
            let slot = cons.wrapping_add(i) & self.mask;
            // The slot lies in [consumer, producer): written by this producer and published;
            // the consumer only reads it, and only this producer writes it — which needs
            // `&mut self` — after the consumer index has passed it. So its value is stable.
            // SAFETY: in bounds (masked), and nobody writes it while we read (see above).
            f(unsafe { self.mem.read(slot) });
        }
        n
    }

    /// The underlying memory.
    pub fn memory(&self) -> &R {
        &self.mem
    }
}

/// Reserved entries of a [`Producer`], written in order with [`push`](WriteBatch::push).
///
/// [`submit`](WriteBatch::submit) publishes the entries written; entries reserved but not
/// written go back to the ring. Dropping the batch without submitting rolls the whole
/// reservation back: nothing is published — and the same holds if the batch is leaked
/// (`mem::forget`): our producer index advances only in `submit`.
#[must_use = "a WriteBatch publishes nothing unless submitted; dropping it rolls back"]
#[derive(Debug)]
pub struct WriteBatch<'r, R: RingMemory> {
    ring: &'r mut Producer<R>,
    start: u32,
    len: u32,
    written: u32,
}

impl<R: RingMemory> WriteBatch<'_, R> {
    /// The number of entries reserved.
    #[inline]
    pub fn len(&self) -> u32 {
        self.len
    }

    /// True if nothing could be reserved.
    #[inline]
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Entries reserved and not written yet.
    #[inline]
    pub fn remaining(&self) -> u32 {
        self.len - self.written
    }

    /// Entries written so far.
    #[inline]
    pub fn written(&self) -> u32 {
        self.written
    }

    /// Writes the next reserved entry; gives `item` back if all reserved entries are written.
    #[inline]
    pub fn push(&mut self, item: R::Item) -> std::result::Result<(), R::Item> {
        if self.written == self.len {
            return Err(item);
        }
        let slot = self.start.wrapping_add(self.written) & self.ring.mask;
        // Invariant: `reserve` took [start, start + len) from the free space computed against
        // an acquire load of the consumer index, and no other batch exists while this one
        // borrows the producer.
        // SAFETY: the slot lies in [start, start + len) (invariant above).
        unsafe { self.ring.mem.write(slot, item) };
        self.written += 1;
        Ok(())
    }

    /// Writes every reserved entry not written yet, in order, with `f(i)` for entry `i` of the
    /// batch; returns how many. One bounds computation for the whole batch instead of one
    /// check per entry ([`push`](WriteBatch::push)): the loop libxdp's users write with
    /// `xsk_ring_prod__fill_addr(ring, idx + i)`.
    ///
    /// If `f` panics, the entries written so far stay unpublished (the batch rolls back as if
    /// none had been written).
    #[inline]
    pub fn fill_with(&mut self, mut f: impl FnMut(u32) -> R::Item) -> u32 {
        let (first, end) = (self.written, self.len);
        let count = end - first;
        let (from, run1) = runs(self.start.wrapping_add(first), count, self.ring.mask);
        let mem = &self.ring.mem;
        // Entries [first, end) of the batch are the slots from..from + run1, then (if the batch
        // wraps around the end of the array) 0..count - run1: plain slot numbers, no masking
        // per entry.
        for k in 0..run1 {
            // `from + k < from + run1 <= entries`, and entry `first + k < len` of the batch, so
            // the slot lies in [start, start + len), which `reserve` took from the free space
            // computed against an acquire load of the consumer index; no other batch exists.
            // SAFETY: in bounds and reserved by this batch (see above).
            unsafe { mem.write(from + k, f(first + k)) };
        }
        for k in run1..count {
            // SAFETY: as above: slot `k - run1 < count - run1 <= from`, entry `first + k < len`.
            unsafe { mem.write(k - run1, f(first + k)) };
        }
        self.written = end;
        count
    }

    /// Entry `i` as written (`i < written()`): what a rollback hands back. The entry is not
    /// published, so only we can see it.
    #[inline]
    pub fn get_written(&self, i: u32) -> Option<R::Item> {
        if i >= self.written {
            return None;
        }
        let slot = self.start.wrapping_add(i) & self.ring.mask;
        // The slot lies in [start, start + written): reserved by this batch (see `push`) and
        // written by it; the producer index does not cover it yet, so the consumer can't read it.
        // SAFETY: reserved and written by this batch, invisible to the consumer (see above).
        Some(unsafe { self.ring.mem.read(slot) })
    }

    /// Publishes the written entries (release store of the producer index) and returns how
    /// many; the reserved but unwritten entries go back to the ring.
    #[inline]
    pub fn submit(self) -> u32 {
        if self.written > 0 {
            let end = self.start.wrapping_add(self.written);
            self.ring.cached_prod = end;
            self.ring.mem.store_producer(end);
        }
        self.written
    }
}

/// Splits `count` consecutive ring positions from index `at` into runs of consecutive slots:
/// returns the first slot (`at & mask`) and the length of the first run (up to the end of the
/// array); the rest, `count - run1` entries, starts at slot 0. Needs `count <= mask + 1`.
#[inline(always)]
fn runs(at: u32, count: u32, mask: u32) -> (u32, u32) {
    let from = at & mask;
    // `mask - from + 1` is the number of slots from `from` to the end (at least 1; no overflow
    // since the ring has at most 2^31 entries).
    (from, count.min(mask - from + 1))
}

/// The consuming end of a ring (user space consumes the RX and completion rings).
#[derive(Debug)]
pub struct Consumer<R: RingMemory> {
    mem: R,
    mask: u32,
    cached_prod: u32,
    cached_cons: u32,
}

impl<R: RingMemory> Consumer<R> {
    /// Starts consuming on `mem`, taking the current shared indices.
    pub fn new(mem: R) -> Consumer<R> {
        let size = mem.entries();
        debug_assert!(size.is_power_of_two());
        Consumer {
            mask: size.wrapping_sub(1),
            cached_prod: mem.load_producer(),
            cached_cons: mem.load_consumer(),
            mem,
        }
    }

    /// The ring's number of entries.
    pub fn size(&self) -> u32 {
        self.mask.wrapping_add(1)
    }

    /// Entries available now, at most `n`; the shared producer index is read only when the
    /// cache is empty (libxdp's `xsk_cons_nb_avail`).
    #[inline]
    pub fn available(&mut self, n: u32) -> u32 {
        let mut entries = self.cached_prod.wrapping_sub(self.cached_cons);
        if entries == 0 {
            self.cached_prod = self.mem.load_producer();
            entries = self.cached_prod.wrapping_sub(self.cached_cons);
        }
        entries.min(n)
    }

    /// Takes up to `n` available entries into a batch (an empty batch if none).
    #[inline]
    pub fn peek(&mut self, n: u32) -> ReadBatch<'_, R> {
        let n = self.available(n);
        let start = self.cached_cons;
        self.cached_cons = start.wrapping_add(n);
        ReadBatch {
            ring: self,
            start,
            len: n,
            pos: 0,
        }
    }

    /// True if the kernel set `XDP_RING_NEED_WAKEUP` on this ring.
    #[inline]
    pub fn needs_wakeup(&self) -> bool {
        self.mem.load_flags() & XDP_RING_NEED_WAKEUP != 0
    }

    /// Takes every entry the producer has published (fresh acquire load of its index, not
    /// the cache), hands each to `f` in order, and releases them all; returns how many.
    pub fn drain(&mut self, f: impl FnMut(R::Item)) -> u32 {
        self.cached_prod = self.mem.load_producer();
        let n = self
            .cached_prod
            .wrapping_sub(self.cached_cons)
            .min(self.size());
        let mut batch = self.peek(n);
        let taken = batch.for_each_entry(f);
        batch.release();
        taken
    }

    /// The underlying memory.
    pub fn memory(&self) -> &R {
        &self.mem
    }
}

/// Entries taken from a [`Consumer`], read with [`get`](ReadBatch::get) or as an iterator.
///
/// [`release`](ReadBatch::release) hands all of them back to the producer (release store of
/// the consumer index); [`release_first`](ReadBatch::release_first) only the first `k`.
/// Dropping the batch rolls back: the entries stay in the ring and the next
/// [`peek`](Consumer::peek) returns them again. (A batch leaked with `mem::forget` is the
/// exception: its entries count as read, so they are never returned twice — what the typed
/// RX and completion batches, which hand out owned frames, rely on — and the next release
/// hands them back to the producer.)
#[must_use = "a ReadBatch releases nothing unless released; dropping it rolls back"]
#[derive(Debug)]
pub struct ReadBatch<'r, R: RingMemory> {
    ring: &'r mut Consumer<R>,
    start: u32,
    len: u32,
    pos: u32,
}

impl<R: RingMemory> ReadBatch<'_, R> {
    /// The number of entries in the batch.
    #[inline]
    pub fn len(&self) -> u32 {
        self.len
    }

    /// True if the ring had nothing.
    #[inline]
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Entry `i` of the batch, if `i < len()`.
    #[inline]
    pub fn get(&self, i: u32) -> Option<R::Item> {
        if i >= self.len {
            return None;
        }
        let slot = self.start.wrapping_add(i) & self.ring.mask;
        // SAFETY: the slot lies in [start, start + len), which `peek` took from the entries
        // covered by an acquire load of the producer index and not yet released.
        Some(unsafe { self.ring.mem.read(slot) })
    }

    /// Hands every entry not taken yet to `f`, in order, and counts them as taken; returns
    /// how many. The per-batch form of the iterator (one bounds computation for the batch,
    /// as libxdp's loops over `xsk_ring_cons__rx_desc(ring, idx + i)`).
    ///
    /// If `f` panics, none of the entries of this call count as taken.
    #[inline]
    pub fn for_each_entry(&mut self, mut f: impl FnMut(R::Item)) -> u32 {
        let (first, end) = (self.pos, self.len);
        let count = end - first;
        let (from, run1) = runs(self.start.wrapping_add(first), count, self.ring.mask);
        let mem = &self.ring.mem;
        // As in `WriteBatch::fill_with`: at most two runs of consecutive slots.
        for slot in from..from + run1 {
            // `slot < from + run1 <= entries`, and it holds entry `first + slot - from < len` of
            // the batch: in [start, start + len), which `peek` took from the entries covered by
            // an acquire load of the producer index and not yet released.
            // SAFETY: in bounds and published to this consumer (see above).
            f(unsafe { mem.read(slot) });
        }
        for slot in 0..count - run1 {
            // SAFETY: as above: `slot < count - run1 <= from`, entry `first + run1 + slot < len`.
            f(unsafe { mem.read(slot) });
        }
        self.pos = end;
        count
    }

    /// Moves the entries not taken yet into `dst`, as many as it has room for, in order:
    /// each entry is passed to `f`, and what `f` returns is written to the next free entry of
    /// `dst` (`None`: the entry is taken but nothing is written). Returns (entries taken,
    /// entries written). One bounds computation for both batches instead of a check per entry
    /// on each side — the RX → fill recycle loop of libxdp's `xdpsock`.
    ///
    /// If `f` panics, neither batch changes: the entries stay untaken here, and nothing
    /// counts as written in `dst`.
    #[inline]
    pub fn transfer_to<D: RingMemory>(
        &mut self,
        dst: &mut WriteBatch<'_, D>,
        mut f: impl FnMut(R::Item) -> Option<D::Item>,
    ) -> (u32, u32) {
        let n = (self.len - self.pos).min(dst.len - dst.written);
        let (first, s_start, s_mask) = (self.pos, self.start, self.ring.mask);
        let (d_first, d_start, d_mask) = (dst.written, dst.start, dst.ring.mask);
        let (src, out) = (&self.ring.mem, &dst.ring.mem);
        let mut w = d_first;
        for i in first..first + n {
            // SAFETY: `i < len` (n is at most the entries not taken): the slot lies in the
            // batch's [start, start + len), covered by an acquire load of the producer index.
            let item = unsafe { src.read(s_start.wrapping_add(i) & s_mask) };
            if let Some(v) = f(item) {
                // `w < dst.len`: at most `n <= dst.len - dst.written` entries are written from
                // `dst.written` on, all in the reservation [start, start + len) of `dst`, which
                // `reserve` took from the free space of its ring.
                // SAFETY: the slot is in `dst`'s reservation (see above).
                unsafe { out.write(d_start.wrapping_add(w) & d_mask, v) };
                w += 1;
            }
        }
        self.pos = first + n;
        dst.written = w;
        (n, w - d_first)
    }

    /// How many entries the iterator has returned.
    #[inline]
    pub fn taken(&self) -> u32 {
        self.pos
    }

    /// Releases every entry of the batch to the producer.
    #[inline]
    pub fn release(self) {
        let n = self.len;
        self.release_first(n)
    }

    /// Releases the first `k` entries (all if `k >= len()`); the rest stay in the ring.
    #[inline]
    pub fn release_first(self, k: u32) {
        let k = k.min(self.len);
        let end = self.start.wrapping_add(k);
        self.ring.cached_cons = end;
        if k > 0 {
            self.ring.mem.store_consumer(end);
        }
        std::mem::forget(self);
    }
}

impl<R: RingMemory> Iterator for ReadBatch<'_, R> {
    type Item = R::Item;

    #[inline]
    fn next(&mut self) -> Option<R::Item> {
        let item = self.get(self.pos)?;
        self.pos += 1;
        Some(item)
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        let n = (self.len - self.pos) as usize;
        (n, Some(n))
    }
}

impl<R: RingMemory> Drop for ReadBatch<'_, R> {
    fn drop(&mut self) {
        self.ring.cached_cons = self.start;
    }
}

/// One of the kernel's rings, mapped into our address space with the offsets of
/// `XDP_MMAP_OFFSETS`. `T` is `u64` (fill, completion) or [`XdpDesc`](crate::abi::XdpDesc)
/// (RX, TX).
#[derive(Debug)]
pub struct MmapRing<T> {
    /// The mapping the pointers below point into: unmapped when the ring is dropped.
    _map: Mmap,
    producer: *const AtomicU32,
    consumer: *const AtomicU32,
    flags: *const AtomicU32,
    descs: *mut T,
    entries: u32,
    _marker: PhantomData<T>,
}

// SAFETY: the ring memory is shared with the kernel only; the pointers stay valid as long as
// `map` lives, which `MmapRing` owns. Moving it to another thread is fine.
unsafe impl<T: Send> Send for MmapRing<T> {}

impl<T: Copy> MmapRing<T> {
    /// Takes over `map`, the mapping of a ring with `entries` entries laid out as `off` says.
    pub(crate) fn new(map: Mmap, off: &XdpRingOffset, entries: u32) -> Result<MmapRing<T>> {
        if !entries.is_power_of_two() {
            return Err(Error::invalid(format!(
                "ring size {entries} is not a power of two"
            )));
        }
        let need = off.desc as usize + entries as usize * std::mem::size_of::<T>();
        let words_ok = [off.producer, off.consumer, off.flags]
            .iter()
            .all(|&o| o.is_multiple_of(4) && o as usize + 4 <= map.len());
        if need > map.len()
            || !words_ok
            || !(off.desc as usize).is_multiple_of(std::mem::align_of::<T>())
        {
            return Err(Error::invalid(format!(
                "the kernel's ring layout {off:?} does not fit a mapping of {} bytes",
                map.len()
            )));
        }
        let base = map.as_ptr();
        // SAFETY: all offsets were checked to lie inside the mapping and to be aligned.
        let ring = unsafe {
            MmapRing {
                producer: base.add(off.producer as usize) as *const AtomicU32,
                consumer: base.add(off.consumer as usize) as *const AtomicU32,
                flags: base.add(off.flags as usize) as *const AtomicU32,
                descs: base.add(off.desc as usize) as *mut T,
                entries,
                _map: map,
                _marker: PhantomData,
            }
        };
        Ok(ring)
    }

    /// The size in bytes a ring of `entries` entries needs to map (`desc` offset + entries).
    pub(crate) fn map_len(off: &XdpRingOffset, entries: u32) -> usize {
        off.desc as usize + entries as usize * std::mem::size_of::<T>()
    }
}

// SAFETY: `new` checked that `entries` is a power of two and that the descriptor array of
// `entries` elements and the three index words lie inside the mapping, which lives as long as
// `self`. The index words are only accessed atomically, as the kernel does.
unsafe impl<T: Copy> RingMemory for MmapRing<T> {
    type Item = T;

    #[inline]
    fn entries(&self) -> u32 {
        self.entries
    }
    #[inline]
    fn load_producer(&self) -> u32 {
        // SAFETY: `producer` points to an aligned u32 inside the live mapping.
        unsafe { (*self.producer).load(Ordering::Acquire) }
    }
    #[inline]
    fn store_producer(&self, value: u32) {
        // SAFETY: as above.
        unsafe { (*self.producer).store(value, Ordering::Release) }
    }
    #[inline]
    fn load_consumer(&self) -> u32 {
        // SAFETY: `consumer` points to an aligned u32 inside the live mapping.
        unsafe { (*self.consumer).load(Ordering::Acquire) }
    }
    #[inline]
    fn store_consumer(&self, value: u32) {
        // SAFETY: as above.
        unsafe { (*self.consumer).store(value, Ordering::Release) }
    }
    #[inline]
    fn load_flags(&self) -> u32 {
        // SAFETY: `flags` points to an aligned u32 inside the live mapping.
        unsafe { (*self.flags).load(Ordering::Relaxed) }
    }
    #[inline]
    unsafe fn read(&self, slot: u32) -> T {
        debug_assert!(slot < self.entries);
        // SAFETY: slot < entries, so the element lies inside the mapped descriptor array; the
        // caller guarantees the producer has published it.
        unsafe { self.descs.add(slot as usize).read() }
    }
    #[inline]
    unsafe fn write(&self, slot: u32, item: T) {
        debug_assert!(slot < self.entries);
        // SAFETY: slot < entries, so the element lies inside the mapped descriptor array; the
        // caller guarantees the consumer is done with it.
        unsafe { self.descs.add(slot as usize).write(item) }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::cell::UnsafeCell;

    /// A single-threaded ring in ordinary memory, to check the index arithmetic.
    struct Local {
        prod: AtomicU32,
        cons: AtomicU32,
        flags: AtomicU32,
        slots: Vec<UnsafeCell<u64>>,
    }

    impl Local {
        fn new(entries: u32, start: u32) -> std::rc::Rc<Local> {
            std::rc::Rc::new(Local {
                prod: AtomicU32::new(start),
                cons: AtomicU32::new(start),
                flags: AtomicU32::new(0),
                slots: (0..entries).map(|_| UnsafeCell::new(0)).collect(),
            })
        }
    }

    // SAFETY: entries is the length of `slots`, a power of two in every test.
    unsafe impl RingMemory for std::rc::Rc<Local> {
        type Item = u64;
        fn entries(&self) -> u32 {
            self.slots.len() as u32
        }
        fn load_producer(&self) -> u32 {
            self.prod.load(Ordering::Acquire)
        }
        fn store_producer(&self, v: u32) {
            self.prod.store(v, Ordering::Release)
        }
        fn load_consumer(&self) -> u32 {
            self.cons.load(Ordering::Acquire)
        }
        fn store_consumer(&self, v: u32) {
            self.cons.store(v, Ordering::Release)
        }
        fn load_flags(&self) -> u32 {
            self.flags.load(Ordering::Relaxed)
        }
        unsafe fn read(&self, slot: u32) -> u64 {
            // SAFETY: single-threaded test; slot < len.
            unsafe { *self.slots[slot as usize].get() }
        }
        unsafe fn write(&self, slot: u32, v: u64) {
            // SAFETY: single-threaded test; slot < len.
            unsafe { *self.slots[slot as usize].get() = v }
        }
    }

    #[test]
    fn reserve_submit_peek_release_across_index_wrap() {
        // Start near u32::MAX so the free-running indices wrap during the test.
        let mem = Local::new(8, u32::MAX - 5);
        let mut p = Producer::new(mem.clone());
        let mut c = Consumer::new(mem.clone());
        let mut next = 0u64;
        let mut expect = 0u64;
        for round in 0..50u32 {
            let want = round % 7 + 1;
            let mut b = p.reserve(want);
            let n = b.len();
            while b.push(next).is_ok() {
                next += 1;
            }
            assert_eq!(b.submit(), n);
            let mut r = c.peek(round % 5 + 1);
            for v in r.by_ref() {
                assert_eq!(v, expect);
                expect += 1;
            }
            assert_eq!(r.taken(), r.len());
            r.release();
        }
        // Drain.
        loop {
            let r = c.peek(8);
            if r.is_empty() {
                break;
            }
            for v in r.clone_values() {
                assert_eq!(v, expect);
                expect += 1;
            }
            r.release();
        }
        assert_eq!(expect, next);
    }

    impl<R: RingMemory> ReadBatch<'_, R> {
        fn clone_values(&self) -> Vec<R::Item> {
            (0..self.len).filter_map(|i| self.get(i)).collect()
        }
    }

    #[test]
    fn dropped_batches_roll_back() {
        let mem = Local::new(4, 0);
        let mut p = Producer::new(mem.clone());
        let mut c = Consumer::new(mem.clone());
        {
            let mut b = p.reserve(4);
            assert_eq!(b.len(), 4);
            b.push(1).unwrap();
        } // dropped: nothing published
        assert_eq!(mem.prod.load(Ordering::Relaxed), 0);
        assert!(c.peek(4).is_empty());
        let mut b = p.reserve(4);
        assert_eq!(b.len(), 4, "the rolled-back reservation is free again");
        b.push(10).unwrap();
        b.push(11).unwrap();
        assert_eq!(b.submit(), 2);
        // Only 2 written: the other 2 reserved entries went back.
        assert_eq!(p.reserve(8).len(), 2);
        {
            let r = c.peek(4);
            assert_eq!(r.len(), 2);
        } // dropped: not released
        let r = c.peek(4);
        assert_eq!(r.get(0), Some(10));
        assert_eq!(r.get(1), Some(11));
        assert_eq!(r.get(2), None);
        r.release_first(1);
        assert_eq!(mem.cons.load(Ordering::Relaxed), 1);
        let r = c.peek(4);
        assert_eq!(r.get(0), Some(11));
        r.release();
        assert_eq!(p.reserve(8).len(), 4);
    }

    #[test]
    // WriteBatch has no Drop today; the test keeps checking leaks if it ever gets one.
    #[allow(clippy::forget_non_drop)]
    fn leaked_batches_publish_nothing_and_return_nothing_twice() {
        let mem = Local::new(4, 0);
        let mut p = Producer::new(mem.clone());
        let mut c = Consumer::new(mem.clone());
        let mut b = p.reserve(4);
        b.push(1).unwrap();
        b.push(2).unwrap();
        std::mem::forget(b);
        assert_eq!(mem.prod.load(Ordering::Relaxed), 0, "nothing published");
        let mut b = p.reserve(4);
        assert_eq!(b.len(), 4, "the leaked reservation is free again");
        b.push(7).unwrap();
        assert_eq!(b.submit(), 1);
        // Only the entry of the submitted batch is visible, not the leaked ones.
        let r = c.peek(4);
        assert_eq!(r.len(), 1);
        assert_eq!(r.get(0), Some(7));
        std::mem::forget(r);
        // A leaked read batch's entries are not returned again ...
        assert!(c.peek(4).is_empty());
        let mut b = p.reserve(4);
        b.push(8).unwrap();
        b.submit();
        let r = c.peek(4);
        assert_eq!(r.get(0), Some(8));
        // ... and the next release hands them back to the producer too.
        r.release();
        assert_eq!(mem.cons.load(Ordering::Relaxed), 2);
    }

    #[test]
    fn batch_level_fill_read_and_transfer_across_index_wrap() {
        // Two rings, indices near u32::MAX so that they wrap: `a` -> transfer -> `b`.
        let a = Local::new(8, u32::MAX - 3);
        let b = Local::new(4, u32::MAX - 1);
        let (mut pa, mut ca) = (Producer::new(a.clone()), Consumer::new(a.clone()));
        let (mut pb, mut cb) = (Producer::new(b.clone()), Consumer::new(b.clone()));
        let mut next = 0u64;
        let mut expect = 0u64;
        for round in 0..40u32 {
            let mut w = pa.reserve(round % 6 + 1);
            let n = w.len();
            // A push first, then the rest per batch: both count.
            if n > 0 {
                w.push(next).unwrap();
                next += 1;
            }
            let base = next;
            assert_eq!(
                w.fill_with(|i| base + u64::from(i) - 1),
                n.saturating_sub(1)
            );
            next = base + u64::from(n.saturating_sub(1));
            assert_eq!(w.remaining(), 0);
            assert_eq!(w.fill_with(|_| unreachable!()), 0);
            assert_eq!(w.submit(), n);
            // Move into `b`, dropping every value divisible by 5 (taken, not written).
            let mut r = ca.peek(round % 7 + 1);
            let mut wb = pb.reserve(8);
            let room = wb.len();
            let (taken, written) =
                r.transfer_to(&mut wb, |v| (!v.is_multiple_of(5)).then_some(v * 10));
            assert_eq!(taken, r.len().min(room));
            assert_eq!(wb.written(), written);
            assert_eq!(r.taken(), taken);
            wb.submit();
            let k = r.taken();
            r.release_first(k);
            let mut seen = Vec::new();
            let mut rb = cb.peek(8);
            assert_eq!(rb.for_each_entry(|v| seen.push(v)), written);
            assert_eq!(rb.taken(), written);
            rb.release();
            for v in seen {
                while expect.is_multiple_of(5) {
                    expect += 1;
                }
                assert_eq!(v, expect * 10);
                expect += 1;
            }
        }
        assert!(expect > 20, "the test moved something ({expect})");
    }

    #[test]
    fn transfer_leaves_what_does_not_fit_and_panics_change_nothing() {
        let a = Local::new(8, 0);
        let b = Local::new(2, 0);
        let (mut pa, mut ca) = (Producer::new(a.clone()), Consumer::new(a.clone()));
        let (mut pb, mut cb) = (Producer::new(b.clone()), Consumer::new(b.clone()));
        let mut w = pa.reserve(5);
        assert_eq!(w.fill_with(u64::from), 5);
        w.submit();
        let mut r = ca.peek(8);
        let mut wb = pb.reserve(8);
        assert_eq!(r.transfer_to(&mut wb, Some), (2, 2));
        assert_eq!(wb.submit(), 2);
        let k = r.taken();
        r.release_first(k);
        // The 3 that did not fit are still in `a`, in order.
        let r = ca.peek(8);
        assert_eq!((r.len(), r.get(0)), (3, Some(2)));
        drop(r);
        let r = cb.peek(8);
        assert_eq!((r.get(0), r.get(1)), (Some(0), Some(1)));
        r.release();
        // A panicking map leaves both batches untouched.
        let res = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            let mut r = ca.peek(8);
            let mut wb = pb.reserve(8);
            let _ = r.transfer_to(&mut wb, |_| -> Option<u64> { panic!("boom") });
        }));
        assert!(res.is_err());
        let r = ca.peek(8);
        assert_eq!(r.len(), 3, "nothing taken by the panicking transfer");
        drop(r);
        assert_eq!(b.prod.load(Ordering::Relaxed), 2, "nothing published");
        assert!(cb.peek(8).is_empty());
    }

    #[test]
    fn batch_loops_split_at_the_end_of_the_array() {
        // 8 slots, indices starting at 5: a batch of 7 covers slots 5, 6, 7, 0, 1, 2, 3.
        for start in [5u32, u32::MAX - 1] {
            let mem = Local::new(8, start);
            let mut p = Producer::new(mem.clone());
            let mut c = Consumer::new(mem.clone());
            let mut w = p.reserve(7);
            w.push(100).unwrap();
            assert_eq!(w.fill_with(|i| 100 + u64::from(i)), 6);
            assert_eq!(w.submit(), 7);
            for k in 0..7u32 {
                let slot = (start.wrapping_add(k) & 7) as usize;
                // SAFETY: single-threaded test; nothing else touches the slots.
                assert_eq!(unsafe { *mem.slots[slot].get() }, 100 + u64::from(k));
            }
            let mut r = c.peek(8);
            assert_eq!(r.next(), Some(100));
            let mut seen = Vec::new();
            assert_eq!(r.for_each_entry(|v| seen.push(v)), 6);
            assert_eq!(seen, (101..107).collect::<Vec<u64>>());
            r.release();
            assert_eq!(mem.cons.load(Ordering::Relaxed), start.wrapping_add(7));
        }
    }

    #[test]
    fn reserve_exact_is_all_or_nothing() {
        let mem = Local::new(4, 0);
        let mut p = Producer::new(mem.clone());
        let mut c = Consumer::new(mem.clone());
        let mut b = p.reserve_exact(3);
        assert_eq!(b.fill_with(u64::from), 3);
        b.submit();
        assert!(p.reserve_exact(2).is_empty(), "only 1 free");
        assert_eq!(p.reserve_exact(1).len(), 1);
        c.peek(2).release();
        let mut b = p.reserve_exact(2);
        assert_eq!(b.len(), 2, "room again after the consumer released 2");
        assert_eq!(b.fill_with(|i| 10 + u64::from(i)), 2);
        assert_eq!(b.submit(), 2);
        let r = c.peek(4);
        assert_eq!((r.len(), r.get(0)), (1, Some(2)), "the cached view first");
        r.release();
        let r = c.peek(4);
        assert_eq!((r.len(), r.get(0), r.get(1)), (2, Some(10), Some(11)));
    }

    #[test]
    fn full_ring_reserves_nothing() {
        let mem = Local::new(2, 0);
        let mut p = Producer::new(mem.clone());
        let mut b = p.reserve(5);
        assert_eq!(b.len(), 2);
        assert!(b.push(1).is_ok());
        assert!(b.push(2).is_ok());
        assert_eq!(b.push(3), Err(3));
        b.submit();
        assert!(p.reserve(1).is_empty());
        mem.flags.store(XDP_RING_NEED_WAKEUP, Ordering::Relaxed);
        assert!(p.needs_wakeup());
        assert_eq!(p.outstanding(), 2);
    }
}
