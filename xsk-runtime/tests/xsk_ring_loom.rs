//! Model check of the AF_XDP ring protocol with `loom`: the very `Producer`/`Consumer` code the
//! sockets use, driven on a simulated shared ring by a producer thread and a consumer thread.
//! loom explores every interleaving (and every weak-memory outcome it models) and fails the
//! test on a data race on a ring slot — which is what a missing acquire/release pair would
//! produce — or on a lost, duplicated or reordered entry.
//!
//! The state space is kept small (a 2-entry ring, 3 entries through it, batches of at most 2) so
//! that the exhaustive search finishes in seconds and runs in every `cargo test`.

use loom::cell::UnsafeCell;
use loom::sync::atomic::{AtomicU32, Ordering};
use loom::sync::Arc;

use xsk_runtime::ring::{Consumer, Producer, RingMemory};

struct Shared {
    producer: AtomicU32,
    consumer: AtomicU32,
    flags: AtomicU32,
    slots: Vec<UnsafeCell<u64>>,
}

#[derive(Clone)]
struct SimRing(Arc<Shared>);

impl SimRing {
    fn new(entries: u32) -> SimRing {
        SimRing(Arc::new(Shared {
            producer: AtomicU32::new(0),
            consumer: AtomicU32::new(0),
            flags: AtomicU32::new(0),
            slots: (0..entries).map(|_| UnsafeCell::new(0)).collect(),
        }))
    }
}

// SAFETY: `entries` is the fixed length of `slots`, a power of two; slot accesses go through
// loom's UnsafeCell, which reports any unsynchronised concurrent access.
unsafe impl RingMemory for SimRing {
    type Item = u64;
    fn entries(&self) -> u32 {
        self.0.slots.len() as u32
    }
    fn load_producer(&self) -> u32 {
        self.0.producer.load(Ordering::Acquire)
    }
    fn store_producer(&self, value: u32) {
        self.0.producer.store(value, Ordering::Release)
    }
    fn load_consumer(&self) -> u32 {
        self.0.consumer.load(Ordering::Acquire)
    }
    fn store_consumer(&self, value: u32) {
        self.0.consumer.store(value, Ordering::Release)
    }
    fn load_flags(&self) -> u32 {
        self.0.flags.load(Ordering::Relaxed)
    }
    unsafe fn read(&self, slot: u32) -> u64 {
        // SAFETY: the caller owns the slot as consumer (see RingMemory::read).
        self.0.slots[slot as usize].with(|p| unsafe { *p })
    }
    unsafe fn write(&self, slot: u32, item: u64) {
        // SAFETY: the caller owns the slot as producer (see RingMemory::write).
        self.0.slots[slot as usize].with_mut(|p| unsafe { *p = item })
    }
}

const ITEMS: u64 = 3;

#[test]
fn spsc_ring_protocol_loses_and_duplicates_nothing() {
    let mut builder = loom::model::Builder::new();
    builder.preemption_bound = Some(3);
    builder.check(|| {
        let ring = SimRing::new(2);
        let producer_mem = ring.clone();
        let producer = loom::thread::spawn(move || {
            let mut p = Producer::new(producer_mem);
            let mut next = 1u64;
            while next <= ITEMS {
                let mut batch = p.reserve(2);
                if batch.is_empty() {
                    drop(batch);
                    loom::thread::yield_now();
                    continue;
                }
                while next <= ITEMS && batch.push(next).is_ok() {
                    next += 1;
                }
                batch.submit();
            }
        });
        let mut c = Consumer::new(ring.clone());
        let mut expect = 1u64;
        while expect <= ITEMS {
            let mut batch = c.peek(2);
            if batch.is_empty() {
                drop(batch);
                loom::thread::yield_now();
                continue;
            }
            for v in batch.by_ref() {
                assert_eq!(v, expect, "entry lost, duplicated or reordered");
                expect += 1;
            }
            batch.release();
        }
        producer.join().unwrap();
        // Nothing left behind, nothing extra.
        assert!(c.peek(2).is_empty());
        assert_eq!(ring.0.producer.load(Ordering::Relaxed), ITEMS as u32);
        assert_eq!(ring.0.consumer.load(Ordering::Relaxed), ITEMS as u32);
    });
}

#[test]
fn rolled_back_batches_are_invisible_to_the_other_side() {
    loom::model(|| {
        let ring = SimRing::new(2);
        let producer_mem = ring.clone();
        let producer = loom::thread::spawn(move || {
            let mut p = Producer::new(producer_mem);
            {
                let mut b = p.reserve(2);
                b.push(99).unwrap();
                // dropped: rolled back, never published
            }
            let mut b = p.reserve(1);
            b.push(7).unwrap();
            assert_eq!(b.submit(), 1);
        });
        let mut c = Consumer::new(ring.clone());
        let mut seen = Vec::new();
        while seen.is_empty() {
            let mut b = c.peek(2);
            if b.is_empty() {
                drop(b);
                loom::thread::yield_now();
                continue;
            }
            seen.extend(b.by_ref());
            b.release();
        }
        producer.join().unwrap();
        assert_eq!(seen, vec![7]);
    });
}

/// The per-batch forms (`WriteBatch::fill_with`, `ReadBatch::transfer_to`,
/// `ReadBatch::for_each_entry`) keep the protocol: the producer thread writes whole batches
/// with `fill_with`; the consumer moves entries from the shared ring into a second ring of its
/// own with `transfer_to` (the RX → fill recycle) and reads that one with `for_each_entry`.
#[test]
fn batch_level_forms_lose_and_duplicate_nothing() {
    let mut builder = loom::model::Builder::new();
    builder.preemption_bound = Some(3);
    builder.check(|| {
        let ring = SimRing::new(2);
        let producer_mem = ring.clone();
        let producer = loom::thread::spawn(move || {
            let mut p = Producer::new(producer_mem);
            let mut next = 1u64;
            while next <= ITEMS {
                let want = (ITEMS + 1 - next).min(2) as u32;
                let mut batch = p.reserve(want);
                if batch.is_empty() {
                    drop(batch);
                    loom::thread::yield_now();
                    continue;
                }
                let base = next;
                next += u64::from(batch.fill_with(|i| base + u64::from(i)));
                batch.submit();
            }
        });
        let mut c = Consumer::new(ring.clone());
        let local = SimRing::new(2);
        let mut lp = Producer::new(local.clone());
        let mut lc = Consumer::new(local.clone());
        let mut expect = 1u64;
        while expect <= ITEMS {
            let mut batch = c.peek(2);
            if batch.is_empty() {
                drop(batch);
                loom::thread::yield_now();
                continue;
            }
            let mut out = lp.reserve(1);
            let (taken, written) = batch.transfer_to(&mut out, |v| Some(v * 10));
            assert_eq!((taken, written), (1, 1), "the local ring has room for one");
            out.submit();
            batch.release_first(taken);
            let mut got = lc.peek(2);
            got.for_each_entry(|v| {
                assert_eq!(v, expect * 10, "entry lost, duplicated or reordered");
                expect += 1;
            });
            got.release();
        }
        producer.join().unwrap();
        assert!(c.peek(2).is_empty());
        assert_eq!(ring.0.producer.load(Ordering::Relaxed), ITEMS as u32);
        assert_eq!(ring.0.consumer.load(Ordering::Relaxed), ITEMS as u32);
    });
}
