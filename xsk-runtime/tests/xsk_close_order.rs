//! How a closing socket takes stock of its rings (`Producer::for_each_outstanding`,
//! `Consumer::drain`), checked against every interleaving with the kernel moving frames from
//! the fill ring to the RX ring. The kernel takes a fill entry (its own cached consumer
//! index), writes the RX entry and publishes the RX producer index, and only then publishes
//! the fill consumer index (`xsk_flush`: RX submit, then fill release). Reading the fill ring
//! first and the RX ring second sees every frame at least once at every point of that
//! sequence; the reverse order misses one (checked too, so the test can fail).

use std::cell::Cell;

use xsk_runtime::ring::{Consumer, Producer, RingMemory};

/// A ring in plain memory: the test is single-threaded, interleaving by hand.
struct PlainRing {
    producer: Cell<u32>,
    consumer: Cell<u32>,
    slots: Vec<Cell<u64>>,
}

#[derive(Clone, Copy)]
struct Ring<'a>(&'a PlainRing);

impl PlainRing {
    fn new(entries: u32) -> PlainRing {
        PlainRing {
            producer: Cell::new(0),
            consumer: Cell::new(0),
            slots: (0..entries).map(|_| Cell::new(0)).collect(),
        }
    }
}

// SAFETY: `entries` is the fixed length of `slots`, a power of two; one thread only.
unsafe impl RingMemory for Ring<'_> {
    type Item = u64;
    fn entries(&self) -> u32 {
        self.0.slots.len() as u32
    }
    fn load_producer(&self) -> u32 {
        self.0.producer.get()
    }
    fn store_producer(&self, value: u32) {
        self.0.producer.set(value)
    }
    fn load_consumer(&self) -> u32 {
        self.0.consumer.get()
    }
    fn store_consumer(&self, value: u32) {
        self.0.consumer.set(value)
    }
    fn load_flags(&self) -> u32 {
        0
    }
    unsafe fn read(&self, slot: u32) -> u64 {
        self.0.slots[slot as usize].get()
    }
    unsafe fn write(&self, slot: u32, item: u64) {
        self.0.slots[slot as usize].set(item)
    }
}

/// The kernel's side, one micro-step at a time (3 per frame).
struct Kernel<'a> {
    fill: &'a PlainRing,
    rx: &'a PlainRing,
    cached_cons: u32,
    held: Option<u64>,
    step: u32,
}

impl Kernel<'_> {
    fn step(&mut self) {
        let mask = self.fill.slots.len() as u32 - 1;
        match self.step % 3 {
            // Take the next fill entry (cached consumer index only).
            0 => {
                self.held = Some(self.fill.slots[(self.cached_cons & mask) as usize].get());
                self.cached_cons += 1;
            }
            // Write the RX entry and publish it.
            1 => {
                let p = self.rx.producer.get();
                let rmask = self.rx.slots.len() as u32 - 1;
                self.rx.slots[(p & rmask) as usize].set(self.held.take().unwrap());
                self.rx.producer.set(p + 1);
            }
            // Publish the fill consumer index.
            _ => self.fill.consumer.set(self.cached_cons),
        }
        self.step += 1;
    }
}

const FRAMES: u64 = 2;
const STEPS: u32 = 3 * FRAMES as u32;

/// Runs the kernel's steps with the closer's two reads after `i` and `j` steps (`i <= j`);
/// `fill_first` picks the order of the reads. Returns the frames seen, deduplicated.
fn run(i: u32, j: u32, fill_first: bool) -> Vec<u64> {
    let (fill, rx) = (PlainRing::new(4), PlainRing::new(4));
    let mut fill_prod = Producer::new(Ring(&fill));
    let mut b = fill_prod.reserve(FRAMES as u32);
    for f in 1..=FRAMES {
        b.push(f).unwrap();
    }
    assert_eq!(b.submit(), FRAMES as u32);
    let mut rx_cons = Consumer::new(Ring(&rx));
    let mut kernel = Kernel {
        fill: &fill,
        rx: &rx,
        cached_cons: 0,
        held: None,
        step: 0,
    };
    let mut seen = Vec::new();
    for k in 0..=STEPS {
        for (at, read_fill) in [(i, fill_first), (j, !fill_first)] {
            if at == k {
                if read_fill {
                    fill_prod.for_each_outstanding(|f| seen.push(f));
                } else {
                    rx_cons.drain(|f| seen.push(f));
                }
            }
        }
        if k < STEPS {
            kernel.step();
        }
    }
    seen.sort_unstable();
    seen.dedup();
    seen
}

#[test]
fn fill_then_rx_sees_every_frame_at_every_point() {
    let all: Vec<u64> = (1..=FRAMES).collect();
    for i in 0..=STEPS {
        for j in i..=STEPS {
            assert_eq!(run(i, j, true), all, "reads after {i} and {j} kernel steps");
        }
    }
}

#[test]
fn rx_then_fill_would_miss_a_frame() {
    let all: Vec<u64> = (1..=FRAMES).collect();
    let missed = (0..=STEPS)
        .flat_map(|i| (i..=STEPS).map(move |j| (i, j)))
        .filter(|&(i, j)| run(i, j, false) != all)
        .count();
    assert!(missed > 0, "the order check above could not fail");
}
