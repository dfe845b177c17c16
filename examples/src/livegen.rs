//! A packet generator without a packet generator: `BPF_PROG_TEST_RUN` in live-frames mode
//! (`BPF_F_TEST_XDP_LIVE_FRAMES`, kernel 5.18) runs an XDP program on copies of one packet and
//! lets its verdict act for real — `XDP_TX` sends each copy out of the interface, `XDP_REDIRECT`
//! out of another. One thread per queue, each in one long call (up to 2^32-1 frames: short
//! calls are much slower, see `shared/bench-notes.md`), counted by the program in a per-CPU
//! map. The run is bounded by a frame count and by time: to end a call early the generator
//! sends its thread SIGUSR1, and the kernel aborts the run with EINTR.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{mpsc, Arc};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use ebpf_dsl::ProgramSpec;
use nix::sys::pthread::{pthread_kill, pthread_self, Pthread};
use xsk_runtime::maps::Map;
use xsk_runtime::netns::NetNs;
use xsk_runtime::test_run::LiveFramesOptions;
use xsk_runtime::{Loader, Program};

use crate::error::{Context, Error, Result};
use crate::programs::{read_counter, PKTGEN_COUNT};

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
    /// Frames per second in all (split over the threads); `None`: as fast as the kernel goes.
    /// Paced in slices of 10 ms, each one shorter live-frames call.
    pub rate: Option<u64>,
    /// The program: it must count in the per-CPU map `pktgen_count` and return `XDP_TX` or
    /// `XDP_REDIRECT` ([`crate::programs::PKTGEN_TX`], [`crate::programs::redirect_program`]).
    pub program: ProgramSpec,
}

struct Worker {
    /// The outer result is entering the namespace, the inner one the run.
    handle: JoinHandle<xsk_runtime::Result<Result<()>>>,
    done: Arc<AtomicBool>,
    thread: Pthread,
}

/// A running generator.
pub struct Generator {
    workers: Vec<Worker>,
    stop: Arc<AtomicBool>,
    count: Map,
    started: Instant,
}

impl std::fmt::Debug for Generator {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Generator")
            .field("threads", &self.workers.len())
            .finish()
    }
}

impl Generator {
    /// Loads the program and starts the threads, inside `netns` if given (else in the
    /// caller's namespace). Install [`crate::signals::install_interrupt_handler`] first.
    pub fn start(cfg: &GenConfig, netns: Option<&NetNs>) -> Result<Generator> {
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
        let name = cfg.program.name.to_string();
        let mut loaded = Loader::new()
            .program(cfg.program.clone())
            .load()
            .context("loading the generator program")?;
        let program = Arc::new(
            loaded
                .take_program(&name)
                .context("the generator program")?,
        );
        let count = loaded
            .map::<Map>(PKTGEN_COUNT.name_str())
            .context("the generator's counter map")?;
        let stop = Arc::new(AtomicBool::new(false));
        let n = cfg.queues.len() as u64;
        let mut workers = Vec::new();
        for (i, &queue) in cfg.queues.iter().enumerate() {
            let share = cfg.count.map(|c| c / n + u64::from((i as u64) < c % n));
            let rate = cfg.rate.map(|r| (r / n).max(1));
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
                let (program, stop, done, packet) = (
                    Arc::clone(&program),
                    Arc::clone(&stop),
                    Arc::clone(&done),
                    cfg.packet.clone(),
                );
                move || {
                    let _ = tx.send(pthread_self());
                    let r = run_worker(&program, &packet, opts, share, rate, cpu, &stop);
                    done.store(true, Ordering::Release);
                    r
                }
            };
            let handle = match netns {
                Some(ns) => ns.spawn(job).context("starting a generator thread")?,
                None => std::thread::Builder::new()
                    .name(format!("pktgen-q{queue}"))
                    .spawn(move || xsk_runtime::Result::Ok(job()))
                    .context("starting a generator thread")?,
            };
            let thread = rx
                .recv_timeout(Duration::from_secs(5))
                .map_err(|_| Error::Failed("a generator thread did not start".into()))?;
            workers.push(Worker {
                handle,
                done,
                thread,
            });
        }
        Ok(Generator {
            workers,
            stop,
            count,
            started: Instant::now(),
        })
    }

    /// Frames the program has handled so far (all threads).
    pub fn sent(&self) -> u64 {
        read_counter(&self.count).unwrap_or(0)
    }

    /// True when every thread has finished (count reached or error).
    pub fn finished(&self) -> bool {
        self.workers.iter().all(|w| w.done.load(Ordering::Acquire))
    }

    /// Seconds since the start.
    pub fn elapsed(&self) -> f64 {
        self.started.elapsed().as_secs_f64()
    }

    /// Stops the threads (interrupting their kernel calls), waits for them, and returns the
    /// frames sent; the first thread error if any failed.
    pub fn stop(self) -> Result<u64> {
        self.stop.store(true, Ordering::Release);
        let deadline = Instant::now() + Duration::from_secs(10);
        while !self.finished() && Instant::now() < deadline {
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
            match w.handle.join() {
                Ok(Ok(Ok(()))) => {}
                Ok(Ok(Err(e))) => {
                    first_err.get_or_insert(e);
                }
                Ok(Err(e)) => {
                    first_err.get_or_insert(Error::Runtime {
                        context: "entering the generator's namespace".into(),
                        source: e,
                    });
                }
                Err(_) => {
                    first_err.get_or_insert(Error::Failed("a generator thread panicked".into()));
                }
            }
        }
        match first_err {
            Some(e) => Err(e),
            None => Ok(sent),
        }
    }
}

fn run_worker(
    program: &Program,
    packet: &[u8],
    mut opts: LiveFramesOptions,
    mut remaining: Option<u64>,
    rate: Option<u64>,
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
    const SLICE: Duration = Duration::from_millis(10);
    let per_slice = rate.map(|r| (r / 100).max(1));
    let mut next = Instant::now();
    while !stop.load(Ordering::Acquire) {
        let cap = per_slice.unwrap_or(u64::from(u32::MAX));
        let repeat = match remaining {
            Some(0) => break,
            Some(r) => r.min(cap) as u32,
            None => cap as u32,
        };
        if per_slice.is_some() {
            let now = Instant::now();
            if next > now {
                std::thread::sleep(next - now);
            }
            next += SLICE;
        }
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
