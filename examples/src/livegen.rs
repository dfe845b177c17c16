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

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{mpsc, Arc};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use ebpf_dsl::ProgramSpec;
use ebpf_dsl_macros::{defmap, defprogram};
use nix::sys::pthread::{pthread_kill, pthread_self, Pthread};
use xsk_runtime::maps::{Map, UpdateFlags};
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

/// How the paced program (with a rate) sends; see [`Generator::start_with`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PaceOptions {
    /// `bpf_redirect` the frames out of this interface (an ifindex in the generator's
    /// namespace) instead of `XDP_TX`.
    pub redirect: Option<u32>,
    /// Frames a thread may send back to back to catch up after it was descheduled (its
    /// program falls behind by up to this many intervals, and at least 1 ms); further behind,
    /// it starts again from now and the missed frames are not sent. Small: smoother;
    /// large: closer to the rate on a busy machine.
    pub burst: u32,
}

impl Default for PaceOptions {
    fn default() -> Self {
        PaceOptions {
            redirect: None,
            burst: DEFAULT_BURST,
        }
    }
}

/// The default [`PaceOptions::burst`]: what fits in a veth's XDP ring (256 frames).
pub const DEFAULT_BURST: u32 = 256;

/// What to generate.
#[derive(Debug, Clone)]
pub struct GenConfig {
    /// The interface the frames are injected on (`ingress_ifindex`; `XDP_TX` leaves through it).
    pub ifindex: u32,
    /// One thread per entry: the `rx_queue_index` it injects on.
    pub queues: Vec<u32>,
    /// CPUs to pin the threads to, in order (cycled); empty: no pinning.
    pub cpus: Vec<usize>,
    /// The frame (at least 14 bytes, at most a page).
    pub packet: Vec<u8>,
    /// Frames in all (split over the threads); `None`: until stopped.
    pub count: Option<u64>,
    /// Frames per kernel batch (1 to 256; 0: the kernel's 64).
    pub batch: u32,
    /// Frames per second in all (at least 1; split evenly over the threads); `None`: as fast
    /// as the kernel goes. Paced inside the program: with a rate the generator runs its own
    /// [`PKTGEN_PACED`] and `program` is not used (see [`Generator::start_with`] to redirect).
    pub rate: Option<u64>,
    /// The program without a rate: it must count in the per-CPU map `pktgen_count` and return
    /// `XDP_TX` or `XDP_REDIRECT` ([`crate::programs::PKTGEN_TX`],
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

struct Worker {
    handle: WorkerThread,
    done: Arc<AtomicBool>,
    thread: Pthread,
    /// This thread's copy of `pktgen_count`.
    count: Map,
    /// This thread's frame bound when the program enforces it (paced mode with a count).
    budget: Option<u64>,
}

/// A running generator.
pub struct Generator {
    workers: Vec<Worker>,
    stop: Arc<AtomicBool>,
    started: Instant,
}

impl std::fmt::Debug for Generator {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Generator")
            .field("threads", &self.workers.len())
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

impl Generator {
    /// Loads the program and starts the threads, inside `netns` if given (else in the
    /// caller's namespace). Install [`crate::signals::install_interrupt_handler`] first.
    pub fn start(cfg: &GenConfig, netns: Option<&NetNs>) -> Result<Generator> {
        Generator::start_with(cfg, netns, PaceOptions::default())
    }

    /// As [`Generator::start`], with the options of the paced program (used with a rate
    /// only; without one, `cfg.program` decides how frames leave).
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
        let stop = Arc::new(AtomicBool::new(false));
        let n = cfg.queues.len() as u64;
        let mut workers = Vec::new();
        for (i, &queue) in cfg.queues.iter().enumerate() {
            let share = cfg.count.map(|c| c / n + u64::from((i as u64) < c % n));
            // Thread i is due every n/rate seconds (rounded to the nanosecond).
            let interval = cfg.rate.map(|r| {
                ((u128::from(n) * 1_000_000_000 + u128::from(r) / 2) / u128::from(r)) as u64
            });
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
            let cpu = (!cfg.cpus.is_empty()).then(|| cfg.cpus[i % cfg.cpus.len()]);
            let opts = LiveFramesOptions {
                ifindex: cfg.ifindex,
                rx_queue_index: queue,
                repeat: 0,
                batch_size: cfg.batch,
            };
            let (tx, rx) = mpsc::channel();
            let done = Arc::new(AtomicBool::new(false));
            let job = {
                let (stop, done, packet) =
                    (Arc::clone(&stop), Arc::clone(&done), cfg.packet.clone());
                let program = loaded.program;
                // Paced, the program enforces the count; the thread runs until stopped.
                let calls_bound = if paced { None } else { share };
                move || {
                    let _ = tx.send(pthread_self());
                    let r = run_worker(&program, &packet, opts, calls_bound, cpu, &stop);
                    done.store(true, Ordering::Release);
                    r
                }
            };
            let handle = match netns {
                Some(ns) => WorkerThread::Ns(ns.spawn(job)),
                None => WorkerThread::Plain(
                    std::thread::Builder::new()
                        .name(format!("pktgen-q{queue}"))
                        .spawn(job)
                        .context("starting a generator thread")?,
                ),
            };
            let thread = rx
                .recv_timeout(Duration::from_secs(5))
                .map_err(|_| Error::Failed("a generator thread did not start".into()))?;
            workers.push(Worker {
                handle,
                done,
                thread,
                count: loaded.count,
                budget: if paced { share } else { None },
            });
        }
        Ok(Generator {
            workers,
            stop,
            started: Instant::now(),
        })
    }

    /// Frames the program has handled so far (all threads).
    pub fn sent(&self) -> u64 {
        self.workers
            .iter()
            .map(|w| read_counter(&w.count).unwrap_or(0))
            .sum()
    }

    /// True when every thread has finished (count reached or error). Paced, a thread has
    /// finished when its program has sent its share of the count (the thread itself spins on
    /// in its call until [`Generator::stop`]).
    pub fn finished(&self) -> bool {
        self.workers.iter().all(|w| {
            w.done.load(Ordering::Acquire)
                || w.budget
                    .is_some_and(|b| read_counter(&w.count).is_ok_and(|n| n >= b))
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

/// Runs long live-frames calls until `stop`, or until `remaining` program runs are done.
fn run_worker(
    program: &Program,
    packet: &[u8],
    mut opts: LiveFramesOptions,
    mut remaining: Option<u64>,
    cpu: Option<usize>,
    stop: &AtomicBool,
) -> Result<()> {
    if let Some(cpu) = cpu {
        let mut set = nix::sched::CpuSet::new();
        if set.set(cpu).is_ok() {
            // Pinning is best effort (the CPU may be outside the allowed set).
            let _ = nix::sched::sched_setaffinity(nix::unistd::Pid::from_raw(0), &set);
        }
    }
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paced_program_references_its_maps() {
        assert_eq!(
            PKTGEN_PACED.maps.as_ref(),
            &[PKTGEN_PACE.to_spec(), PKTGEN_COUNT.to_spec()]
        );
        assert_eq!(PACE_SLACK + 8, PKTGEN_PACE.value_size as usize);
    }
}
