//! The consumer of a `BPF_MAP_TYPE_RINGBUF` map (kernel 5.8): records read in place.
//!
//! The kernel exposes a ring buffer map through `mmap(2)`: a *consumer page* (offset 0, one
//! page, read-write: user space writes `consumer_pos` there) and, from offset one page, the
//! *producer page* (`producer_pos`, read-only) followed by the data area — mapped twice in a
//! row, so that a record that wraps around the end is still contiguous in memory. Each record
//! is an 8-byte header (`u32` length with the `BUSY` and `DISCARD` bits, `u32` page offset)
//! and the data, the whole rounded up to 8 bytes.
//!
//! [`RingBuf`] follows the kernel's protocol (as libbpf's `ring_buffer__consume` does):
//! `producer_pos` is read with acquire ordering, each header's length with acquire ordering; a
//! record whose `BUSY` bit is set is still being written, so reading stops there; a record with
//! the `DISCARD` bit (`bpf_ringbuf_discard`) is skipped; after each record `consumer_pos` is
//! advanced with release ordering, which hands the space back to the producers.
//!
//! Records are borrowed in place: [`RingBuf::next`] returns a [`RingBufRecord`] that
//! dereferences to the record's bytes in the mapping (no copy) and releases the space when it
//! is dropped. [`RingBuf::next_timeout`] waits for one (epoll on the map's descriptor: the
//! kernel wakes the consumer after a submit unless the program asked for `BPF_RB_NO_WAKEUP`);
//! [`RingBuf::consume`] and [`RingBuf::poll`] call a closure on every available record.
//!
//! One consumer per ring: two `RingBuf`s (in this process or another) on the same map would
//! both advance `consumer_pos`, and each could hand space back that the other still reads.

use std::ops::Deref;
use std::os::fd::{AsFd, BorrowedFd};
use std::sync::atomic::{AtomicU32, AtomicU64, Ordering};
use std::time::{Duration, Instant};

use ebpf_dsl::{MapSpec, MapType};

use super::{FromMap, Map};
use crate::error::{Error, Result};
use crate::sys::ringbuf::{page_size, Epoll, MapMmap};

/// `BPF_RINGBUF_BUSY_BIT`: the record is reserved, not yet submitted or discarded.
pub const BPF_RINGBUF_BUSY_BIT: u32 = 1 << 31;
/// `BPF_RINGBUF_DISCARD_BIT`: the record was discarded; consumers skip it.
pub const BPF_RINGBUF_DISCARD_BIT: u32 = 1 << 30;
/// `BPF_RINGBUF_HDR_SZ`: bytes of a record's header.
pub const BPF_RINGBUF_HDR_SZ: u32 = 8;

/// A consumer of a `BPF_MAP_TYPE_RINGBUF` map (see the [module docs](self)).
#[derive(Debug)]
pub struct RingBuf {
    // Mappings before the map: unmapped before its descriptor closes (either order works).
    consumer: MapMmap,
    producer: MapMmap,
    epoll: Epoll,
    page: usize,
    size: u64,
    map: Map,
}

/// Where the next committed record is: its data's offset in the data area, its length, and
/// the consumer position after it.
#[derive(Clone, Copy, Debug)]
struct Found {
    offset: usize,
    len: usize,
    next: u64,
}

impl RingBuf {
    /// Maps the ring buffer `map` (a `BPF_MAP_TYPE_RINGBUF`) for reading.
    pub fn new(map: Map) -> Result<RingBuf> {
        if map.map_type() != Some(MapType::Ringbuf) {
            return Err(Error::MapMismatch {
                map: map.name().to_owned(),
                reason: format!(
                    "is a {} map, expected ringbuf",
                    map.map_type()
                        .map_or_else(|| "unknown".to_owned(), |t| t.to_string())
                ),
            });
        }
        let page = page_size();
        let size = u64::from(map.max_entries());
        if !size.is_power_of_two() || size < page as u64 {
            return Err(Error::MapMismatch {
                map: map.name().to_owned(),
                reason: format!(
                    "a ring buffer of {size} bytes: the kernel makes them a power of two of at \
                     least a page ({page} bytes)"
                ),
            });
        }
        let data_len = usize::try_from(2 * size)
            .map_err(|_| Error::invalid("the ring buffer is too large to map"))?;
        let consumer = MapMmap::map(
            map.fd(),
            page,
            0,
            true,
            "mmap of the ring buffer's consumer page",
        )?;
        let producer = MapMmap::map(
            map.fd(),
            page + data_len,
            page,
            false,
            "mmap of the ring buffer's producer page and data",
        )?;
        let epoll = Epoll::new()?;
        epoll.add_input(map.fd())?;
        Ok(RingBuf {
            consumer,
            producer,
            epoll,
            page,
            size,
            map,
        })
    }

    /// Creates a ring buffer map named `name` of `size` bytes (a power of two, at least a
    /// page) and maps it.
    pub fn create(name: &str, size: u32) -> Result<RingBuf> {
        RingBuf::new(Map::create(&MapSpec {
            name: name.to_owned().into(),
            map_type: MapType::Ringbuf,
            key_size: 0,
            value_size: 0,
            max_entries: size,
            flags: 0,
            btf: None,
            inner: None,
        })?)
    }

    /// The untyped map.
    pub fn map(&self) -> &Map {
        &self.map
    }

    /// Size of the data area in bytes.
    pub fn size(&self) -> u64 {
        self.size
    }

    fn consumer_pos(&self) -> &AtomicU64 {
        // The consumer page is mapped read-write, page-aligned (so 8-byte aligned), and lives
        // as long as `self`; `consumer_pos` is its first field. The kernel only reads it, and
        // other threads can only reach it through `&self` as an atomic.
        // SAFETY: so the pointer is valid, aligned and only accessed atomically for `'self`.
        unsafe { AtomicU64::from_ptr(self.consumer.as_ptr().cast::<u64>()) }
    }

    fn producer_pos(&self) -> &AtomicU64 {
        // The producer page is mapped (read-only: only loads are made), page-aligned, and
        // lives as long as `self`; `producer_pos` is its first field, which the kernel updates
        // atomically.
        // SAFETY: so the pointer is valid, aligned and only accessed atomically for `'self`.
        unsafe { AtomicU64::from_ptr(self.producer.as_ptr().cast::<u64>()) }
    }

    /// The data area (twice its size: mapped twice in a row).
    fn data(&self) -> *const u8 {
        // SAFETY: the producer mapping is one page plus twice the data size long, so the
        // data area starts within it.
        unsafe { self.producer.as_ptr().add(self.page) }
    }

    fn header_len(&self, offset: usize) -> &AtomicU32 {
        // `offset` is `pos & (size - 1)`, below `size`, and 8-aligned (records are 8-byte
        // aligned): the header's length word is inside the mapping and aligned. The kernel
        // writes it atomically (smp_store_release); only loads are made.
        // SAFETY: so the pointer is valid, aligned and only accessed atomically for `'self`.
        unsafe { AtomicU32::from_ptr(self.data().add(offset).cast::<u32>().cast_mut()) }
    }

    /// Bytes written by the producers and not consumed yet (records and headers).
    pub fn pending_bytes(&self) -> u64 {
        let prod = self.producer_pos().load(Ordering::Acquire);
        prod.wrapping_sub(self.consumer_pos().load(Ordering::Relaxed))
    }

    /// The next submitted record, skipping (and consuming) discarded ones; `None` when the ring
    /// is empty or the next record is still being written.
    fn find(&self) -> Result<Option<Found>> {
        let cons_atomic = self.consumer_pos();
        let mut cons = cons_atomic.load(Ordering::Relaxed);
        let prod = self.producer_pos().load(Ordering::Acquire);
        while cons < prod {
            let offset = (cons & (self.size - 1)) as usize;
            let raw = self.header_len(offset).load(Ordering::Acquire);
            if raw & BPF_RINGBUF_BUSY_BIT != 0 {
                return Ok(None);
            }
            let len = raw & !(BPF_RINGBUF_BUSY_BIT | BPF_RINGBUF_DISCARD_BIT);
            let total = u64::from(len + BPF_RINGBUF_HDR_SZ).div_ceil(8) * 8;
            if total > self.size {
                return Err(Error::invalid(format!(
                    "ring buffer `{}`: a record of {len} bytes at position {cons} does not fit \
                     in its {} bytes (is another consumer using it?)",
                    self.map.name(),
                    self.size
                )));
            }
            let next = cons + total;
            if raw & BPF_RINGBUF_DISCARD_BIT == 0 {
                return Ok(Some(Found {
                    offset: offset + BPF_RINGBUF_HDR_SZ as usize,
                    len: len as usize,
                    next,
                }));
            }
            cons = next;
            cons_atomic.store(cons, Ordering::Release);
        }
        Ok(None)
    }

    /// True if a submitted record is available now (discarded records before it are
    /// consumed).
    pub fn has_record(&mut self) -> Result<bool> {
        Ok(self.find()?.is_some())
    }

    /// The next record without waiting, or `None` if there is none yet. The record is borrowed
    /// in place; its space goes back to the producers when it is dropped.
    #[allow(clippy::should_implement_trait)]
    pub fn next(&mut self) -> Result<Option<RingBufRecord<'_>>> {
        let Some(f) = self.find()? else {
            return Ok(None);
        };
        let data = self.record(f.offset, f.len);
        Ok(Some(RingBufRecord {
            ring: self,
            data,
            next: f.next,
        }))
    }

    /// Waits up to `timeout` (`None`: without limit) until a record is available; false on
    /// timeout. Discarded records met meanwhile are consumed.
    pub fn wait(&mut self, timeout: Option<Duration>) -> Result<bool> {
        // A record already there costs no clock read; a wait reads the clock once, for the
        // deadline of the waits after a wake-up that found nothing (a record still being
        // written, a signal).
        if self.find()?.is_some() {
            return Ok(true);
        }
        let deadline = timeout.map(|t| Instant::now() + t);
        let mut left = timeout;
        loop {
            if left.is_some_and(|l| l.is_zero()) {
                return Ok(false);
            }
            // Level-triggered: the map's fd is readable while producer_pos != consumer_pos,
            // so a record submitted between `find` and here still wakes this wait. A signal
            // (EINTR) just loops.
            self.epoll.wait(left)?;
            if self.find()?.is_some() {
                return Ok(true);
            }
            left = deadline.map(|d| d.saturating_duration_since(Instant::now()));
        }
    }

    /// The next record, waiting up to `timeout` for one (`None`: without limit); `None` on
    /// timeout.
    pub fn next_timeout(&mut self, timeout: Option<Duration>) -> Result<Option<RingBufRecord<'_>>> {
        if !self.wait(timeout)? {
            return Ok(None);
        }
        self.next()
    }

    /// The data of a submitted record found at `offset` (past its header), `len` bytes.
    fn record(&self, offset: usize, len: usize) -> &[u8] {
        // `offset + len` ends within twice the data size (the record fits in `size` bytes from
        // an offset below `size`), which the mapping covers. The record is submitted (BUSY bit
        // clear, read with acquire ordering after its data was written), and the kernel does
        // not write it again until `consumer_pos` passes it, which only happens after the
        // borrow ends (a record's drop, or `consume` once `f` returned); the borrow of `self`
        // keeps the mapping alive.
        // SAFETY: so the slice is in bounds and not written while it is borrowed.
        unsafe { std::slice::from_raw_parts(self.data().add(offset), len) }
    }

    /// Calls `f` on every record available now, in order; returns how many. Reads the
    /// producer's position once per run of records (as libbpf's `ring_buffer__consume` does),
    /// not once per record: that cache line is the one the producers keep writing.
    pub fn consume(&mut self, mut f: impl FnMut(&[u8])) -> Result<usize> {
        let mut n = 0;
        let cons_atomic = self.consumer_pos();
        let mut cons = cons_atomic.load(Ordering::Relaxed);
        loop {
            let prod = self.producer_pos().load(Ordering::Acquire);
            if cons >= prod {
                return Ok(n);
            }
            while cons < prod {
                let offset = (cons & (self.size - 1)) as usize;
                let raw = self.header_len(offset).load(Ordering::Acquire);
                if raw & BPF_RINGBUF_BUSY_BIT != 0 {
                    return Ok(n);
                }
                let len = raw & !(BPF_RINGBUF_BUSY_BIT | BPF_RINGBUF_DISCARD_BIT);
                let total = u64::from(len + BPF_RINGBUF_HDR_SZ).div_ceil(8) * 8;
                if total > self.size {
                    return Err(Error::invalid(format!(
                        "ring buffer `{}`: a record of {len} bytes at position {cons} does not \
                         fit in its {} bytes (is another consumer using it?)",
                        self.map.name(),
                        self.size
                    )));
                }
                if raw & BPF_RINGBUF_DISCARD_BIT == 0 {
                    f(self.record(offset + BPF_RINGBUF_HDR_SZ as usize, len as usize));
                    n += 1;
                }
                cons += total;
                cons_atomic.store(cons, Ordering::Release);
            }
        }
    }

    /// Waits up to `timeout` for records (`None`: without limit), then calls `f` on every
    /// available one; returns how many (0 on timeout).
    pub fn poll(&mut self, timeout: Option<Duration>, f: impl FnMut(&[u8])) -> Result<usize> {
        if !self.wait(timeout)? {
            return Ok(0);
        }
        self.consume(f)
    }
}

impl AsFd for RingBuf {
    /// The map's descriptor: readable (`EPOLLIN`) when records are pending.
    fn as_fd(&self) -> BorrowedFd<'_> {
        self.map.fd()
    }
}

impl FromMap for RingBuf {
    fn from_map(map: Map) -> Result<Self> {
        RingBuf::new(map)
    }
}

/// A record of a [`RingBuf`], borrowed in place; dereferences to its bytes. Dropping it hands
/// its space back to the producers (`consumer_pos` advanced with release ordering).
#[derive(Debug)]
pub struct RingBufRecord<'a> {
    ring: &'a RingBuf,
    data: &'a [u8],
    next: u64,
}

impl Deref for RingBufRecord<'_> {
    type Target = [u8];
    fn deref(&self) -> &[u8] {
        self.data
    }
}

impl Drop for RingBufRecord<'_> {
    fn drop(&mut self) {
        self.ring.consumer_pos().store(self.next, Ordering::Release);
    }
}
