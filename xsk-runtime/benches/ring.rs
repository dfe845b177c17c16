//! The AF_XDP ring protocol alone, no kernel: our [`Producer`] / [`Consumer`] passing
//! descriptors between two threads pinned to two CPUs through a ring in ordinary memory, batch
//! 64 by default. The C twin is `bench/c/ring_ref.c` (libxdp's inline `xsk_ring_prod__reserve`
//! / `submit`, `xsk_ring_cons__peek` / `release`); `bench/run.sh` runs both, interleaved.
//!
//! ```text
//! cargo bench -p xsk-runtime --bench ring -- [-n DESCRIPTORS] [-b BATCH] [-r RING_SIZE]
//!                                            [-P PRODUCER_CPU] [-C CONSUMER_CPU]
//! ```
//!
//! Prints `RESULT impl=rust bench=ring descs=N batch=B secs=S ns_per_desc=X`. The consumer
//! checks that it sees every descriptor exactly once and in order (exit 1 otherwise).
//!
//! The memory layout copies the kernel's: producer index, consumer index, flags and the
//! descriptor array each start a cache line, as in `ring_ref.c`.

use std::cell::UnsafeCell;
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::Arc;
use std::time::Instant;

use xsk_runtime::abi::XdpDesc;
use xsk_runtime::ring::{Consumer, Producer, RingMemory};

#[repr(C, align(64))]
struct Line(AtomicU32);

/// Four descriptors: one cache line, so that the descriptor array starts a cache line (as the
/// kernel's mapping and `ring_ref.c`'s `_Alignas(64)` array do) and a batch of 64 covers
/// whole lines.
#[repr(C, align(64))]
struct DescLine([UnsafeCell<XdpDesc>; 4]);

/// One ring in ordinary memory, shared by a producer thread and a consumer thread.
struct Shared {
    producer: Line,
    consumer: Line,
    flags: Line,
    descs: Box<[DescLine]>,
}

// SAFETY: the descriptor cells are only touched through the ring protocol, which gives each
// slot to one side at a time (the producer between consumer+size and producer, the consumer
// between consumer and producer), ordered by the acquire/release index operations.
unsafe impl Sync for Shared {}

/// One end's view of the ring, shaped like the crate's `MmapRing` (raw pointers to the index
/// words and the descriptor array, taken once), so that the protocol code is measured with the
/// memory accesses it makes on a real socket. The `Arc` keeps the memory alive.
struct Mem {
    _keep: Arc<Shared>,
    producer: *const AtomicU32,
    consumer: *const AtomicU32,
    flags: *const AtomicU32,
    descs: *mut XdpDesc,
    entries: u32,
}

impl Mem {
    fn new(shared: &Arc<Shared>) -> Mem {
        Mem {
            _keep: shared.clone(),
            producer: &shared.producer.0,
            consumer: &shared.consumer.0,
            flags: &shared.flags.0,
            // A DescLine is 4 UnsafeCell<XdpDesc> (each with the layout of XdpDesc) and no
            // padding (4 * 16 = 64 bytes), so the lines form one array of descriptors; the
            // cells are only accessed through this pointer while the ring runs.
            descs: UnsafeCell::raw_get(shared.descs.as_ptr().cast::<UnsafeCell<XdpDesc>>()),
            entries: shared.descs.len() as u32 * 4,
        }
    }
}

// SAFETY: the pointers point into `_keep`, which the Mem owns a share of; the indices are
// atomics, and the descriptors are handed between the threads by the ring protocol.
unsafe impl Send for Mem {}

// SAFETY: `entries` is the length of the descriptor array, a power of two checked in `main`;
// every slot below it is valid; the index operations have the orderings the trait asks for.
unsafe impl RingMemory for Mem {
    type Item = XdpDesc;
    #[inline]
    fn entries(&self) -> u32 {
        self.entries
    }
    #[inline]
    fn load_producer(&self) -> u32 {
        // SAFETY: points to an AtomicU32 inside `_keep`.
        unsafe { (*self.producer).load(Ordering::Acquire) }
    }
    #[inline]
    fn store_producer(&self, value: u32) {
        // SAFETY: as above.
        unsafe { (*self.producer).store(value, Ordering::Release) }
    }
    #[inline]
    fn load_consumer(&self) -> u32 {
        // SAFETY: points to an AtomicU32 inside `_keep`.
        unsafe { (*self.consumer).load(Ordering::Acquire) }
    }
    #[inline]
    fn store_consumer(&self, value: u32) {
        // SAFETY: as above.
        unsafe { (*self.consumer).store(value, Ordering::Release) }
    }
    #[inline]
    fn load_flags(&self) -> u32 {
        // SAFETY: points to an AtomicU32 inside `_keep`.
        unsafe { (*self.flags).load(Ordering::Relaxed) }
    }
    #[inline]
    unsafe fn read(&self, slot: u32) -> XdpDesc {
        // SAFETY: slot < entries (the caller masks it); the caller owns it as consumer.
        unsafe { self.descs.add(slot as usize).read() }
    }
    #[inline]
    unsafe fn write(&self, slot: u32, item: XdpDesc) {
        // SAFETY: slot < entries (the caller masks it); the caller owns it as producer.
        unsafe { self.descs.add(slot as usize).write(item) }
    }
}

fn pin(cpu: usize) {
    // SAFETY: cpu_set_t is plain data; CPU_SET stays inside it for cpu < CPU_SETSIZE (checked
    // by the caller's argument parsing), and sched_setaffinity only reads it.
    unsafe {
        let mut set: libc::cpu_set_t = std::mem::zeroed();
        libc::CPU_SET(cpu, &mut set);
        libc::sched_setaffinity(0, std::mem::size_of::<libc::cpu_set_t>(), &set);
    }
}

fn arg(args: &[String], flag: &str, default: u64) -> Result<u64, String> {
    match args.iter().position(|a| a == flag) {
        None => Ok(default),
        Some(i) => args
            .get(i + 1)
            .and_then(|v| v.parse().ok())
            .ok_or_else(|| format!("{flag} needs a number")),
    }
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    if args.iter().any(|a| a == "-h" || a == "--help") {
        println!("usage: ring [-n DESCRIPTORS] [-b BATCH] [-r RING_SIZE] [-P CPU] [-C CPU]");
        return;
    }
    let parsed = (|| -> Result<_, String> {
        Ok((
            arg(&args, "-n", 100_000_000)?,
            arg(&args, "-b", 64)?,
            arg(&args, "-r", 2048)?,
            arg(&args, "-P", 0)?,
            arg(&args, "-C", 1)?,
        ))
    })();
    let (n, batch, ring, cpu_p, cpu_c) = match parsed {
        Ok(v) => v,
        Err(e) => {
            eprintln!("ring: {e}");
            std::process::exit(2);
        }
    };
    if n == 0
        || n > 1 << 40
        || batch == 0
        || batch > ring
        || !ring.is_power_of_two()
        || !(4..=1 << 20).contains(&ring)
        || cpu_p >= 1024
        || cpu_c >= 1024
    {
        eprintln!("ring: need 0 < -b <= -r, -r a power of two from 4 to 2^20, 0 < -n <= 2^40");
        std::process::exit(2);
    }
    // `cargo bench` passes --bench; ignore it.
    let batch = batch as u32;
    let shared = Arc::new(Shared {
        producer: Line(AtomicU32::new(0)),
        consumer: Line(AtomicU32::new(0)),
        flags: Line(AtomicU32::new(0)),
        descs: (0..ring / 4)
            .map(|_| DescLine(std::array::from_fn(|_| UnsafeCell::new(XdpDesc::default()))))
            .collect(),
    });
    let mut prod = Producer::new(Mem::new(&shared));
    let mut cons = Consumer::new(Mem::new(&shared));
    drop(shared);

    let t0 = Instant::now();
    let consumer = std::thread::spawn(move || {
        pin(cpu_c as usize);
        let mut got = 0u64;
        // The order check accumulates without branches, the same expression as
        // bench/c/ring_ref.c's, so both consumers pay the same for it.
        let mut acc = 0u64;
        while got < n {
            let mut b = cons.peek(batch);
            if b.is_empty() {
                continue;
            }
            let mut expect = got;
            b.for_each_entry(|d| {
                acc |= (d.addr ^ expect) | u64::from(d.len ^ 60);
                expect += 1;
            });
            b.release();
            got = expect;
        }
        acc != 0
    });
    let producer = std::thread::spawn(move || {
        pin(cpu_p as usize);
        let mut sent = 0u64;
        while sent < n {
            let want = (n - sent).min(batch as u64) as u32;
            // All or nothing, as libxdp's xsk_ring_prod__reserve in ring_ref.c.
            let mut b = prod.reserve_exact(want);
            if b.is_empty() {
                continue;
            }
            let base = sent;
            b.fill_with(|i| XdpDesc {
                addr: base + u64::from(i),
                len: 60,
                options: 0,
            });
            sent += b.submit() as u64;
        }
    });
    let joined = producer.join().is_ok();
    let bad = consumer.join().unwrap_or(true);
    let secs = t0.elapsed().as_secs_f64();
    if !joined || bad {
        eprintln!("ring: consumer saw descriptors out of order (or a thread panicked)");
        std::process::exit(1);
    }
    println!(
        "RESULT impl=rust bench=ring descs={n} batch={batch} secs={secs:.3} ns_per_desc={:.3}",
        secs * 1e9 / n as f64
    );
}
