//! A packet generator without a packet generator: `BPF_PROG_TEST_RUN` in live-frames mode
//! (`BPF_F_TEST_XDP_LIVE_FRAMES`, kernel 5.18) runs an XDP program on copies of one packet and
//! lets its verdict act for real — `XDP_TX` sends each copy out of the interface, `XDP_REDIRECT`
//! out of another. One thread per queue, each in one long call (up to 2^32-1 frames: short
//! calls are much slower, see "Baseline facts" in `BENCHMARKS.md`), counted by the program in
//! a per-CPU map. The run is bounded by a frame count and by time: to end a call early the
//! generator sends its thread SIGUSR1, and the kernel aborts the run with EINTR.
//!
//! With a rate the threads still make one long call each, and the program paces itself
//! ([`PKTGEN_PACED`]): it keeps the time the next frame is due in its map [`PKTGEN_PACE`] and
//! sends (`XDP_TX` or `bpf_redirect`) only when `bpf_ktime_get_ns()` has reached it, dropping
//! the copy (`XDP_DROP`, which just recycles the test page) otherwise. Pacing with many short
//! calls cannot work: every live-frames call costs tens of milliseconds of setup and teardown.
//! Live frames run with a fake receive queue 0 whatever `rx_queue_index` says, so each thread
//! loads its own copy of the program, with its own maps: its own pacing slot and counter.
//!
//! # The second engine: AF_PACKET
//!
//! A kernel may lack live frames (before 5.18) or refuse them (a build that answers EPERM even
//! to root). [`Generator::start_with`] decides by a real probe, never by the kernel's version:
//! one live-frames run of an `XDP_DROP` program (repeat 1, nothing leaves) on the target
//! interface in the generator's namespace. Refused with EPERM, EOPNOTSUPP/ENOTSUPP, or EINVAL
//! where a plain test run of the same frame works (the flag is what the kernel refused), the
//! generator runs its AF_PACKET engine instead ([`Engine::AfPacket`]): one raw packet socket
//! per thread (protocol 0, so it receives nothing; bound to the egress interface;
//! `PACKET_QDISC_BYPASS`), sending `batch` copies of the frame per `sendmmsg`. The count is
//! exact (a counter per thread), a rate is paced in user space with the burst/slack rules of
//! [`PKTGEN_PACED`] (never a frame before its due time), and [`Generator::stop`] interrupts a
//! waiting send with SIGUSR1 as it does a live-frames call. [`Generator::engine`] says which
//! engine runs.

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{mpsc, Arc};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use ebpf_dsl::ProgramSpec;
use ebpf_dsl_macros::{defmap, defprogram};
use nix::sys::pthread::{pthread_kill, pthread_self, Pthread};
use xsk_runtime::maps::{Map, UpdateFlags};
use xsk_runtime::os::PacketSender;
use xsk_runtime::test_run::LiveFramesOptions;
use xsk_runtime::{Loader, Program};
use xsk_testkit::netns::NetNs;

use crate::error::{Context, Error, Result};
use crate::programs::{read_counter, PKTGEN_COUNT};

defmap! {
    /// The pacing slot of one generator thread (one entry; each thread loads its own copy):
    /// `struct { u64 next_due_ns; u64 interval_ns; u64 budget; u64 redirect_ifindex;
    /// u64 slack_ns; }` — the `bpf_ktime_get_ns()` time the next frame is due, the time
    /// between frames, the frames still allowed (`u64::MAX`: no bound), the interface to
    /// `bpf_redirect` to (0: `XDP_TX`), and how far behind the program may fall and still
    /// catch up (sending back to back) after its thread was descheduled.
    pub PKTGEN_PACE: array(key = u32, value_size = 40, max_entries = 1, name = "pktgen_pace");
}

/// Byte offsets of the fields of a [`PKTGEN_PACE`] value.
const PACE_NEXT: usize = 0;
const PACE_INTERVAL: usize = 8;
const PACE_BUDGET: usize = 16;
const PACE_REDIRECT: usize = 24;
const PACE_SLACK: usize = 32;

defprogram! {
    /// The paced generator program for live frames: send the copy only when it is due.
    ///
    /// ```text
    /// now = bpf_ktime_get_ns(); s = &PKTGEN_PACE[0]
    /// if now < s.next_due || s.budget == 0: return XDP_DROP
    /// s.budget -= 1; s.next_due += s.interval
    /// if s.next_due <= now - s.slack: s.next_due = now   (too far behind: no burst to catch up)
    /// PKTGEN_COUNT[0] += 1
    /// return s.redirect_ifindex ? bpf_redirect(s.redirect_ifindex, 0) : XDP_TX
    /// ```
    ///
    /// `bpf_ktime_get_ns` is CLOCK_MONOTONIC (kernel 4.1); `BPF_PROG_TEST_RUN` live frames
    /// need kernel 5.18.
    pub PKTGEN_PACED: xdp(name = "pktgen_paced") {
        call bpf_ktime_get_ns;
        r7 = r0;                          // now
        *(u32 *)(r10 - 4) = 0;
        r2 = r10;
        r2 += -4;
        r1 = PKTGEN_PACE ll;
        call bpf_map_lookup_elem;
        if r0 == 0 goto drop;
        r1 = *(u64 *)(r0 + 0);            // next_due
        if r1 > r7 goto drop;             // not due yet
        r2 = *(u64 *)(r0 + 16);           // budget
        if r2 == 0 goto drop;
        r2 += -1;
        *(u64 *)(r0 + 16) = r2;
        r3 = *(u64 *)(r0 + 8);            // interval
        r1 += r3;
        r5 = *(u64 *)(r0 + 32);           // slack
        r4 = r7;
        r4 -= r5;
        if r1 > r4 goto keep;
        r1 = r7;                          // too far behind: start again from now
    keep:
        *(u64 *)(r0 + 0) = r1;
        r6 = *(u64 *)(r0 + 24);           // redirect_ifindex
        r2 = r10;
        r2 += -4;
        r1 = PKTGEN_COUNT ll;
        call bpf_map_lookup_elem;
        if r0 == 0 goto send;
        r1 = *(u64 *)(r0 + 0);
        r1 += 1;
        *(u64 *)(r0 + 0) = r1;
    send:
        if r6 != 0 goto redirect;
        r0 = XDP_TX;
        exit;
    redirect:
        r1 = r6;
        r2 = 0;
        call bpf_redirect;
        exit;
    drop:
        r0 = XDP_DROP;
        exit;
    }
}

/// The paced program never falls further behind than this (1 ms), whatever the burst.
const MIN_SLACK_NS: u64 = 1_000_000;

/// The way a [`Generator`] puts frames on the wire.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Engine {
    /// `BPF_PROG_TEST_RUN` live frames: an XDP program's `XDP_TX` / `XDP_REDIRECT` verdicts
    /// send the copies (kernel 5.18).
    LiveFrames,
    /// A raw `AF_PACKET` socket per thread, `sendmmsg` of copies past the qdisc: where the
    /// kernel lacks or refuses live frames.
    AfPacket,
}

impl Engine {
    /// "live frames" or "AF_PACKET".
    pub fn name(self) -> &'static str {
        match self {
            Engine::LiveFrames => "live frames",
            Engine::AfPacket => "AF_PACKET",
        }
    }
}

impl std::fmt::Display for Engine {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

/// How the generator sends; see [`Generator::start_with`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PaceOptions {
    /// Where the frames leave (an ifindex in the generator's namespace). Live frames, with a
    /// rate: the paced program `bpf_redirect`s to it instead of `XDP_TX` (without a rate,
    /// `GenConfig::program` decides, so give it a program that redirects there as well).
    /// AF_PACKET: the sockets are bound to it (`None`: to [`GenConfig::ifindex`]), with or
    /// without a rate.
    pub redirect: Option<u32>,
    /// The engine to use; `None`: live frames where the probe on the interface succeeds,
    /// AF_PACKET where the kernel refuses them (see [`Generator::start_with`]).
    pub engine: Option<Engine>,
    /// Frames a thread may send back to back to catch up after it was descheduled (its
    /// program, or its AF_PACKET loop, falls behind by up to this many intervals, and at least 1 ms); further behind,
    /// it starts again from now and the missed frames are not sent. Small: smoother;
    /// large: closer to the rate on a busy machine.
    pub burst: u32,
}

impl Default for PaceOptions {
    fn default() -> Self {
        PaceOptions {
            redirect: None,
            engine: None,
            burst: DEFAULT_BURST,
        }
    }
}

/// The default [`PaceOptions::burst`]: what fits in a veth's XDP ring (256 frames).
pub const DEFAULT_BURST: u32 = 256;

/// What to generate.
#[derive(Debug, Clone)]
pub struct GenConfig {
    /// The interface the frames are injected on (`ingress_ifindex`; `XDP_TX` leaves through it);
    /// with the AF_PACKET engine the interface they leave through, unless
    /// [`PaceOptions::redirect`] names another.
    pub ifindex: u32,
    /// One thread per entry: the `rx_queue_index` it injects on (live frames; AF_PACKET lets
    /// the kernel pick the transmit queue).
    pub queues: Vec<u32>,
    /// CPUs to pin the threads to, in order (cycled); empty: no pinning.
    pub cpus: Vec<usize>,
    /// The frame (at least 14 bytes, at most a page).
    pub packet: Vec<u8>,
    /// Frames in all (split over the threads); `None`: until stopped.
    pub count: Option<u64>,
    /// Frames per kernel batch (1 to 256; 0: the kernel's 64): live frames' `batch_size`,
    /// AF_PACKET's messages per `sendmmsg`.
    pub batch: u32,
    /// Frames per second in all (at least 1; split evenly over the threads); `None`: as fast
    /// as the kernel goes. Live frames pace inside the program: with a rate the generator runs
    /// its own [`PKTGEN_PACED`] and `program` is not used (see [`Generator::start_with`] to
    /// redirect); AF_PACKET paces each thread in user space by the same rules.
    pub rate: Option<u64>,
    /// The program without a rate (live frames only): it must count in the per-CPU map
    /// `pktgen_count` and return `XDP_TX` or `XDP_REDIRECT` ([`crate::programs::PKTGEN_TX`],
    /// [`crate::programs::redirect_program`]).
    pub program: ProgramSpec,
}

/// A generator thread: in a namespace ([`NetNs::spawn`]) or in the caller's.
enum WorkerThread {
    Ns(xsk_testkit::netns::NsThread<Result<()>>),
    Plain(JoinHandle<Result<()>>),
}

impl WorkerThread {
    /// The run's result, or why the thread could not run it.
    fn join(self) -> Result<()> {
        match self {
            WorkerThread::Ns(h) => h.join().unwrap_or_else(|e| {
                Err(Error::Runtime {
                    context: "entering the generator's namespace".into(),
                    source: e,
                })
            }),
            WorkerThread::Plain(h) => h
                .join()
                .unwrap_or_else(|_| Err(Error::Failed("a generator thread panicked".into()))),
        }
    }
}

/// Where a thread counts the frames it sent.
enum Counter {
    /// Live frames: the thread's copy of `pktgen_count`, which its program counts in.
    Map(Map),
    /// AF_PACKET: the frames its socket sent, and its batches cut short.
    Atomic(Arc<AtomicU64>, Arc<AtomicU64>),
}

impl Counter {
    fn read(&self) -> u64 {
        match self {
            Counter::Map(m) => read_counter(m).unwrap_or(0),
            Counter::Atomic(a, _) => a.load(Ordering::Acquire),
        }
    }

    fn short(&self) -> u64 {
        match self {
            Counter::Map(_) => 0,
            Counter::Atomic(_, s) => s.load(Ordering::Acquire),
        }
    }
}

struct Worker {
    handle: WorkerThread,
    done: Arc<AtomicBool>,
    thread: Pthread,
    count: Counter,
    /// This thread's frame bound when the program enforces it (paced live frames with a count).
    budget: Option<u64>,
}

/// A running generator.
pub struct Generator {
    workers: Vec<Worker>,
    stop: Arc<AtomicBool>,
    started: Instant,
    engine: Engine,
    refusal: Option<String>,
}

impl std::fmt::Debug for Generator {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Generator")
            .field("threads", &self.workers.len())
            .field("engine", &self.engine)
            .finish()
    }
}

/// One thread's loaded program and its maps.
struct Loaded {
    program: Program,
    count: Map,
}

fn load(spec: &ProgramSpec, pace: Option<[u8; 40]>) -> Result<Loaded> {
    let name = spec.name.to_string();
    let mut loaded = Loader::new()
        .program(spec.clone())
        .load()
        .context("loading the generator program")?;
    let program = loaded
        .take_program(&name)
        .context("the generator program")?;
    let count = loaded
        .map::<Map>(PKTGEN_COUNT.name_str())
        .context("the generator's counter map")?;
    if let Some(value) = pace {
        let slot = loaded
            .map::<Map>(PKTGEN_PACE.name_str())
            .context("the generator's pacing map")?;
        slot.update(&0u32.to_ne_bytes(), &value, UpdateFlags::Any)
            .context("setting the generator's pacing slot")?;
    }
    Ok(Loaded { program, count })
}

/// Runs `f` in `netns` (a short-lived thread), or here.
fn in_ns<R: Send>(netns: Option<&NetNs>, f: impl FnOnce() -> R + Send) -> Result<R> {
    match netns {
        Some(ns) => ns.run(f).context("entering the generator's namespace"),
        None => Ok(f()),
    }
}

/// Whether live frames work on `ifindex` (queue `queue`) in `netns`: `Ok(None)` if they do,
/// `Ok(Some(refusal))` if the kernel refuses them (the kernel's error, with its hint: the
/// AF_PACKET engine should run instead), an
/// error if the probe itself failed (nothing to do with live frames). The probe is one
/// live-frames run of an `XDP_DROP` program with repeat 1: the frame is dropped, nothing
/// leaves. Refusals: EPERM (a kernel that does not allow them, even to root), EOPNOTSUPP or
/// the kernel's ENOTSUPP (524), and EINVAL when a plain test run of the same frame works
/// (so the live-frames flag is what the kernel refused: before 5.18).
pub fn probe_live_frames(
    ifindex: u32,
    queue: u32,
    packet: &[u8],
    netns: Option<&NetNs>,
) -> Result<Option<xsk_runtime::Error>> {
    let drop = Program::load_insns(
        "pktgen_probe",
        ebpf_dsl::ProgramType::Xdp,
        "GPL",
        &[
            ebpf_dsl::Insn::new(0xb7, 0, 0, 0, 1), // r0 = XDP_DROP
            ebpf_dsl::Insn::new(0x95, 0, 0, 0, 0), // exit
        ],
        &xsk_runtime::program::LoadOptions::default(),
    )
    .context("loading the live-frames probe (XDP_DROP)")?;
    let opts = LiveFramesOptions {
        ifindex,
        rx_queue_index: queue,
        repeat: 1,
        batch_size: 1,
    };
    let (live, plain) = in_ns(netns, || {
        let live = drop.run_live_frames(packet, &opts);
        let plain = match &live {
            Err(e) if e.errno() == Some(libc::EINVAL) => Some(drop.test_run(packet, 1)),
            _ => None,
        };
        (live, plain)
    })?;
    match live {
        Ok(_) => Ok(None),
        Err(e) => {
            let refused = match e.errno() {
                Some(libc::EPERM | libc::EOPNOTSUPP | 524) => true,
                Some(libc::EINVAL) => matches!(plain, Some(Ok(_))),
                _ => false,
            };
            if refused {
                Ok(Some(e))
            } else {
                Err(e).context(format!(
                    "probing BPF_PROG_TEST_RUN live frames on ifindex {ifindex} queue {queue}"
                ))
            }
        }
    }
}

impl Generator {
    /// Loads the program and starts the threads, inside `netns` if given (else in the
    /// caller's namespace). Install [`crate::signals::install_interrupt_handler`] first.
    pub fn start(cfg: &GenConfig, netns: Option<&NetNs>) -> Result<Generator> {
        Generator::start_with(cfg, netns, PaceOptions::default())
    }

    /// As [`Generator::start`], with options: where paced live frames and AF_PACKET frames
    /// leave, the burst of the pacing, and the engine. Without [`PaceOptions::engine`] the
    /// engine is decided here by [`probe_live_frames`] on `cfg.ifindex` and the first queue in
    /// `netns`: live frames where the kernel runs them, else AF_PACKET. Live frames asked for
    /// by name are probed too: where the kernel refuses them, the error is its refusal.
    pub fn start_with(
        cfg: &GenConfig,
        netns: Option<&NetNs>,
        pace: PaceOptions,
    ) -> Result<Generator> {
        if cfg.queues.is_empty() {
            return Err(Error::Usage(
                "the generator needs at least one queue".into(),
            ));
        }
        if cfg.packet.len() < 14 || cfg.packet.len() > 3500 {
            return Err(Error::Usage(format!(
                "frames must be 14 to 3500 bytes, got {}",
                cfg.packet.len()
            )));
        }
        if cfg.rate == Some(0) {
            return Err(Error::Usage("the rate must be at least 1 frame/s".into()));
        }
        let (engine, refusal) = match pace.engine {
            Some(Engine::AfPacket) => (Engine::AfPacket, None),
            Some(Engine::LiveFrames) => {
                // Asked for by name: where the kernel refuses them, its error is the answer.
                match probe_live_frames(cfg.ifindex, cfg.queues[0], &cfg.packet, netns)? {
                    None => (Engine::LiveFrames, None),
                    Some(e) => {
                        return Err(e).context(format!(
                            "live frames asked for on ifindex {}, refused by this kernel",
                            cfg.ifindex
                        ))
                    }
                }
            }
            None => match probe_live_frames(cfg.ifindex, cfg.queues[0], &cfg.packet, netns)? {
                None => (Engine::LiveFrames, None),
                Some(e) => (Engine::AfPacket, Some(e.to_string())),
            },
        };
        let mut gen = Generator {
            workers: Vec::new(),
            stop: Arc::new(AtomicBool::new(false)),
            started: Instant::now(),
            engine,
            refusal,
        };
        let n = cfg.queues.len() as u64;
        for (i, &queue) in cfg.queues.iter().enumerate() {
            let share = cfg.count.map(|c| c / n + u64::from((i as u64) < c % n));
            // Thread i is due every n/rate seconds (rounded to the nanosecond).
            let interval = cfg.rate.map(|r| {
                ((u128::from(n) * 1_000_000_000 + u128::from(r) / 2) / u128::from(r)) as u64
            });
            let cpu = (!cfg.cpus.is_empty()).then(|| cfg.cpus[i % cfg.cpus.len()]);
            let started = match engine {
                Engine::LiveFrames => {
                    start_live_thread(cfg, &pace, netns, &gen.stop, queue, share, interval, cpu)
                }
                Engine::AfPacket => {
                    let af = AfPacketJob {
                        egress: pace.redirect.unwrap_or(cfg.ifindex),
                        packet: cfg.packet.clone(),
                        batch: if cfg.batch == 0 {
                            64
                        } else {
                            cfg.batch as usize
                        },
                        share,
                        pacing: interval.map(|interval| Pacing {
                            interval,
                            slack: interval
                                .saturating_mul(u64::from(pace.burst.max(1)))
                                .max(MIN_SLACK_NS),
                            epoch: gen.started,
                        }),
                        cpu,
                        in_flight: (VETH_RING / cfg.queues.len()).max(32),
                    };
                    start_af_packet_thread(af, netns, &gen.stop, queue)
                }
            };
            match started {
                Ok(w) => gen.workers.push(w),
                Err(e) => {
                    // Stop the threads already running before giving up.
                    let _ = gen.stop();
                    return Err(e);
                }
            }
        }
        Ok(gen)
    }

    /// The engine the generator runs.
    pub fn engine(&self) -> Engine {
        self.engine
    }

    /// Why live frames were not used, when the probe found the kernel refusing them (the
    /// kernel's error, with its hint); `None` for live frames or an engine chosen by the caller.
    pub fn live_frames_refusal(&self) -> Option<&str> {
        self.refusal.as_deref()
    }

    /// "live frames", or "AF_PACKET (live frames refused: ...)" when the probe chose it: what
    /// the examples print.
    pub fn engine_summary(&self) -> String {
        match &self.refusal {
            Some(why) => format!("{} (live frames refused: {why})", self.engine),
            None => self.engine.to_string(),
        }
    }

    /// Frames sent so far (all threads): counted by the program (live frames; with `XDP_TX`
    /// or a redirect, frames the interface then drops on a full ring are counted, as it
    /// counts them in `tx_dropped`), or handed to the interface by the sockets (AF_PACKET;
    /// likewise including a frame it dropped when the send reports that with ENOBUFS; see
    /// [`Generator::short_batches`]). The sockets' send buffers keep a veth's peer ring from
    /// overrunning (see `open_sender`): in the sandboxes nothing is dropped.
    pub fn sent(&self) -> u64 {
        self.workers.iter().map(|w| w.count.read()).sum()
    }

    /// AF_PACKET: the `sendmmsg` calls that sent fewer frames than asked and more than none
    /// (0 with live frames). The kernel stops a batch at a frame it refuses and reports the
    /// error only when it is the first: usually a wait for socket buffer space cut by the
    /// timeout or a signal (the frame was not sent, nothing counts it), but a frame the
    /// interface dropped (ENOBUFS) ends a batch the same way, and that one the interface
    /// counts in `tx_dropped` while [`Generator::sent`] does not. In the veth sandboxes no
    /// frame is dropped (the send buffers keep the threads from overrunning the peer's ring).
    pub fn short_batches(&self) -> u64 {
        self.workers.iter().map(|w| w.count.short()).sum()
    }

    /// True when every thread has finished (count reached or error). Paced with live frames,
    /// a thread has finished when its program has sent its share of the count (the thread
    /// itself spins on in its call until [`Generator::stop`]).
    pub fn finished(&self) -> bool {
        self.workers.iter().all(|w| {
            w.done.load(Ordering::Acquire) || w.budget.is_some_and(|b| w.count.read() >= b)
        })
    }

    /// Seconds since the start.
    pub fn elapsed(&self) -> f64 {
        self.started.elapsed().as_secs_f64()
    }

    /// True when every thread has ended.
    fn all_done(&self) -> bool {
        self.workers.iter().all(|w| w.done.load(Ordering::Acquire))
    }

    /// Stops the threads (interrupting their kernel calls), waits for them, and returns the
    /// frames sent; the first thread error if any failed.
    pub fn stop(self) -> Result<u64> {
        self.stop.store(true, Ordering::Release);
        let deadline = Instant::now() + Duration::from_secs(10);
        while !self.all_done() && Instant::now() < deadline {
            for w in &self.workers {
                if !w.done.load(Ordering::Acquire) {
                    // The thread has not been joined, so its id is valid.
                    let _ = pthread_kill(w.thread, nix::sys::signal::Signal::SIGUSR1);
                }
            }
            std::thread::sleep(Duration::from_millis(10));
        }
        let sent = self.sent();
        let mut first_err = None;
        for w in self.workers {
            if !w.done.load(Ordering::Acquire) {
                first_err.get_or_insert(Error::Failed(
                    "a generator thread did not stop within 10 s".into(),
                ));
                continue;
            }
            if let Err(e) = w.handle.join() {
                first_err.get_or_insert(e);
            }
        }
        match first_err {
            Some(e) => Err(e),
            None => Ok(sent),
        }
    }
}

/// Spawns `job` (which first reports its thread id, or why it cannot run, on the channel
/// whose receiver is `rx`) in `netns` or here, and waits for that report.
fn spawn_worker(
    job: impl FnOnce() -> Result<()> + Send + 'static,
    rx: mpsc::Receiver<Result<Pthread>>,
    netns: Option<&NetNs>,
    queue: u32,
    done: Arc<AtomicBool>,
    count: Counter,
    budget: Option<u64>,
) -> Result<Worker> {
    let handle = match netns {
        Some(ns) => WorkerThread::Ns(ns.spawn(job)),
        None => WorkerThread::Plain(
            std::thread::Builder::new()
                .name(format!("pktgen-q{queue}"))
                .spawn(job)
                .context("starting a generator thread")?,
        ),
    };
    let thread = match rx.recv_timeout(Duration::from_secs(5)) {
        Ok(Ok(t)) => t,
        Ok(Err(e)) => {
            // The thread reported why it cannot run and ends.
            let _ = handle.join();
            return Err(e);
        }
        Err(_) => {
            // It never started (e.g. it could not enter the namespace): that is the error.
            return Err(match handle.join() {
                Err(e) => e,
                Ok(()) => Error::Failed("a generator thread did not start".into()),
            });
        }
    };
    Ok(Worker {
        handle,
        done,
        thread,
        count,
        budget,
    })
}

/// Loads a live-frames thread's program and starts the thread.
#[allow(clippy::too_many_arguments)]
fn start_live_thread(
    cfg: &GenConfig,
    pace: &PaceOptions,
    netns: Option<&NetNs>,
    stop: &Arc<AtomicBool>,
    queue: u32,
    share: Option<u64>,
    interval: Option<u64>,
    cpu: Option<usize>,
) -> Result<Worker> {
    let loaded = match interval {
        None => load(&cfg.program, None)?,
        Some(interval) => {
            let mut v = [0u8; 40];
            v[PACE_INTERVAL..PACE_INTERVAL + 8].copy_from_slice(&interval.to_ne_bytes());
            v[PACE_BUDGET..PACE_BUDGET + 8]
                .copy_from_slice(&share.unwrap_or(u64::MAX).to_ne_bytes());
            v[PACE_REDIRECT..PACE_REDIRECT + 8]
                .copy_from_slice(&u64::from(pace.redirect.unwrap_or(0)).to_ne_bytes());
            let slack = interval
                .saturating_mul(u64::from(pace.burst.max(1)))
                .max(MIN_SLACK_NS);
            v[PACE_SLACK..PACE_SLACK + 8].copy_from_slice(&slack.to_ne_bytes());
            debug_assert_eq!(&v[PACE_NEXT..PACE_NEXT + 8], &[0u8; 8]);
            load(&PKTGEN_PACED, Some(v))?
        }
    };
    let paced = interval.is_some();
    let opts = LiveFramesOptions {
        ifindex: cfg.ifindex,
        rx_queue_index: queue,
        repeat: 0,
        batch_size: cfg.batch,
    };
    let (tx, rx) = mpsc::channel();
    let done = Arc::new(AtomicBool::new(false));
    let job = {
        let (stop, done, packet) = (Arc::clone(stop), Arc::clone(&done), cfg.packet.clone());
        let program = loaded.program;
        // Paced, the program enforces the count; the thread runs until stopped.
        let calls_bound = if paced { None } else { share };
        move || {
            let _ = tx.send(Ok(pthread_self()));
            let r = run_worker(&program, &packet, opts, calls_bound, cpu, &stop);
            done.store(true, Ordering::Release);
            r
        }
    };
    spawn_worker(
        job,
        rx,
        netns,
        queue,
        done,
        Counter::Map(loaded.count),
        if paced { share } else { None },
    )
}

/// Pins the calling thread to `cpu`, best effort (the CPU may be outside the allowed set).
fn pin(cpu: Option<usize>) {
    if let Some(cpu) = cpu {
        let mut set = nix::sched::CpuSet::new();
        if set.set(cpu).is_ok() {
            let _ = nix::sched::sched_setaffinity(nix::unistd::Pid::from_raw(0), &set);
        }
    }
}

/// Runs long live-frames calls until `stop`, or until `remaining` program runs are done.
fn run_worker(
    program: &Program,
    packet: &[u8],
    mut opts: LiveFramesOptions,
    mut remaining: Option<u64>,
    cpu: Option<usize>,
    stop: &AtomicBool,
) -> Result<()> {
    pin(cpu);
    while !stop.load(Ordering::Acquire) {
        let repeat = match remaining {
            Some(0) => break,
            Some(r) => r.min(u64::from(u32::MAX)) as u32,
            None => u32::MAX,
        };
        opts.repeat = repeat;
        match program.run_live_frames(packet, &opts) {
            Ok(_) => {
                if let Some(r) = remaining.as_mut() {
                    *r -= u64::from(repeat);
                }
            }
            // Interrupted by our SIGUSR1 or by Ctrl-C: either way this thread is done (the
            // frames of the cut call are in the program's counter).
            Err(e) if e.errno() == Some(libc::EINTR) => break,
            Err(e) => {
                return Err(e).context(format!(
                    "BPF_PROG_TEST_RUN live frames on ifindex {} queue {}",
                    opts.ifindex, opts.rx_queue_index
                ))
            }
        }
    }
    Ok(())
}

/// The user-space pacing of an AF_PACKET thread: [`PKTGEN_PACED`]'s rules.
#[derive(Debug, Clone, Copy)]
struct Pacing {
    /// Nanoseconds between this thread's frames.
    interval: u64,
    /// How far behind it may fall and still catch up back to back.
    slack: u64,
    /// The time its first frame is due.
    epoch: Instant,
}

impl Pacing {
    /// At `now` (ns since the epoch), with the next frame due at `*next_due`: `Err(wait)`, the
    /// ns until it is due, or `Ok(n)`, the frames due by now (at least 1), after moving
    /// `*next_due` to now when the thread fell more than the slack behind (the missed frames
    /// are not sent). Frame `k` of the `n` is due at `*next_due + k * interval <= now`: none is
    /// sent before its time. The caller adds `interval` to `*next_due` per frame sent.
    fn due(&self, next_due: &mut u64, now: u64) -> std::result::Result<u64, u64> {
        if now < *next_due {
            return Err(*next_due - now);
        }
        if now - *next_due > self.slack {
            *next_due = now;
        }
        Ok((now - *next_due) / self.interval.max(1) + 1)
    }
}

/// What one AF_PACKET thread does.
struct AfPacketJob {
    /// The interface the frames leave through.
    egress: u32,
    packet: Vec<u8>,
    /// Messages per `sendmmsg`.
    batch: usize,
    /// Frames to send; `None`: until stopped.
    share: Option<u64>,
    pacing: Option<Pacing>,
    cpu: Option<usize>,
    /// The frames its socket may have in flight (see [`open_sender`]).
    in_flight: usize,
}

/// The frames a veth's peer ring holds (`VETH_RING_SIZE`): the AF_PACKET threads together
/// keep no more than this in flight.
const VETH_RING: usize = 256;

/// A lower bound of the memory the kernel charges a socket for one frame of `len` bytes
/// (`skb->truesize`): the data plus `struct sk_buff` and `struct skb_shared_info` (about 256
/// and 320 bytes, each rounded up to a cache line).
fn min_truesize(len: usize) -> usize {
    len + 576
}

/// How long a send waits for socket buffer space before the thread looks at its stop flag
/// again (a signal ends the wait at once).
const SEND_TIMEOUT: Duration = Duration::from_millis(100);

/// Opens an AF_PACKET thread's socket (in the thread, so in its namespace) and starts it.
fn start_af_packet_thread(
    job: AfPacketJob,
    netns: Option<&NetNs>,
    stop: &Arc<AtomicBool>,
    queue: u32,
) -> Result<Worker> {
    let (tx, rx) = mpsc::channel();
    let done = Arc::new(AtomicBool::new(false));
    let count = Arc::new(AtomicU64::new(0));
    let short = Arc::new(AtomicU64::new(0));
    let run = {
        let (stop, done) = (Arc::clone(stop), Arc::clone(&done));
        let (count, short) = (Arc::clone(&count), Arc::clone(&short));
        move || {
            let sock = match open_sender(job.egress, job.in_flight, job.packet.len()) {
                Ok(s) => s,
                Err(e) => {
                    done.store(true, Ordering::Release);
                    let _ = tx.send(Err(e));
                    return Ok(());
                }
            };
            let _ = tx.send(Ok(pthread_self()));
            let r = run_af_packet(&sock, &job, &stop, &count, &short);
            done.store(true, Ordering::Release);
            r
        }
    };
    spawn_worker(
        run,
        rx,
        netns,
        queue,
        done,
        Counter::Atomic(count, short),
        None,
    )
}

/// The AF_PACKET socket of a thread: bound to `egress`, past the qdisc, sends that give up
/// waiting after [`SEND_TIMEOUT`], and a send buffer for at most `in_flight` frames of `len`
/// bytes.
///
/// The send buffer is what keeps the count exact. A frame stays charged to its socket until
/// it is freed: by the driver after transmission, or — a veth whose peer runs XDP — by the
/// peer's NAPI once it has taken the frame off its ring (`__dev_forward_skb` does not orphan
/// it). A send finding the buffer full waits, so the threads together (each `in_flight`, at
/// most [`VETH_RING`] in all) cannot overrun the peer's ring; were it overrun, the veth would
/// drop the frame (counted in its `tx_dropped`) and the send fail with ENOBUFS, which
/// `sendmmsg` reports only for the first frame of a batch (see
/// [`Generator::short_batches`]). Measured on 6.18 veth sandboxes (1 and 2 threads, 2 s at
/// about 1 Mframe/s): no frame dropped, with this buffer and with one a hundred times larger
/// — the peer keeps up; the buffer makes that a bound rather than a measurement.
fn open_sender(egress: u32, in_flight: usize, len: usize) -> Result<PacketSender> {
    let what = || format!("the generator's AF_PACKET socket on ifindex {egress}");
    let sock = PacketSender::bind(egress).context(what())?;
    sock.set_qdisc_bypass(true).context(what())?;
    sock.set_send_timeout(SEND_TIMEOUT).context(what())?;
    // The kernel doubles the value for its bookkeeping.
    sock.set_send_buffer(in_flight * min_truesize(len) / 2)
        .context(what())?;
    Ok(sock)
}

/// Sends until `stop` or the thread's share is sent, paced if asked.
fn run_af_packet(
    sock: &PacketSender,
    job: &AfPacketJob,
    stop: &AtomicBool,
    count: &AtomicU64,
    short: &AtomicU64,
) -> Result<()> {
    pin(job.cpu);
    let batch = job.batch.clamp(1, xsk_runtime::os::PACKET_MAX_BATCH) as u64;
    let mut remaining = job.share;
    // Paced: the time (ns since the epoch) the next frame is due.
    let mut next_due = 0u64;
    while !stop.load(Ordering::Acquire) {
        let mut want = match remaining {
            Some(0) => break,
            Some(r) => r.min(batch),
            None => batch,
        };
        if let Some(p) = &job.pacing {
            let now = p.epoch.elapsed().as_nanos().min(u128::from(u64::MAX)) as u64;
            match p.due(&mut next_due, now) {
                Err(wait) => {
                    // Not due yet: wait (a little at a time, to see the stop flag).
                    std::thread::sleep(Duration::from_nanos(wait.min(10_000_000)));
                    continue;
                }
                Ok(due) => want = want.min(due),
            }
        }
        let sent = match sock.send_copies(&job.packet, want as usize) {
            Ok(k) => {
                if (k as u64) < want {
                    short.fetch_add(1, Ordering::AcqRel);
                }
                k as u64
            }
            // The interface dropped the first frame (a full ring): it was handed over, and
            // the interface counts it in tx_dropped, as it counts a live frame it drops.
            Err(e) if e.errno() == Some(libc::ENOBUFS) => 1,
            // A signal (our SIGUSR1: stop) or no buffer space within the timeout: look at
            // the stop flag and go on.
            Err(e) if matches!(e.errno(), Some(libc::EINTR | libc::EAGAIN)) => 0,
            Err(e) => {
                return Err(e).context(format!(
                    "sending with the AF_PACKET socket on ifindex {}",
                    sock.ifindex()
                ))
            }
        };
        count.fetch_add(sent, Ordering::AcqRel);
        if let Some(r) = remaining.as_mut() {
            *r -= sent;
        }
        if let Some(p) = &job.pacing {
            next_due = next_due.saturating_add(sent.saturating_mul(p.interval));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The user-space pacing never sends a frame before its due time, catches up back to back
    /// within the slack, and starts again from now beyond it.
    #[test]
    fn user_space_pacing_follows_the_paced_programs_rules() {
        let p = Pacing {
            interval: 100,
            slack: 1_000,
            epoch: Instant::now(),
        };
        let mut next = 0u64;
        assert_eq!(p.due(&mut next, 0), Ok(1));
        next += 100;
        assert_eq!(p.due(&mut next, 50), Err(50), "not due before its time");
        assert_eq!(p.due(&mut next, 100), Ok(1));
        next += 100;
        // 550 ns behind: frames due at 200, 300, ..., 700 (6) may go back to back.
        assert_eq!(p.due(&mut next, 750), Ok(6));
        assert_eq!(next, 200);
        next += 6 * 100;
        assert_eq!(p.due(&mut next, 799), Err(1));
        // More than the slack behind: start again from now, one frame.
        assert_eq!(p.due(&mut next, 5_000), Ok(1));
        assert_eq!(next, 5_000);
        // Simulated run: over any time T, at most T / interval + 1 frames, none early.
        let mut next = 0u64;
        let mut sent_at = Vec::new();
        let mut now = 0u64;
        while now < 100_000 {
            if let Ok(n) = p.due(&mut next, now) {
                for k in 0..n.min(4) {
                    assert!(next + k * 100 <= now);
                    sent_at.push(now);
                }
                next += n.min(4) * 100;
            }
            now += 37;
        }
        assert!(
            sent_at.len() as u64 <= 100_000 / 100 + 1,
            "{}",
            sent_at.len()
        );
        assert!(sent_at.len() as u64 >= 990, "{}", sent_at.len());
    }

    #[test]
    fn paced_program_references_its_maps() {
        assert_eq!(
            PKTGEN_PACED.maps.as_ref(),
            &[PKTGEN_PACE.to_spec(), PKTGEN_COUNT.to_spec()]
        );
        assert_eq!(PACE_SLACK + 8, PKTGEN_PACE.value_size as usize);
    }
}
