//! What `xsk-rxdrop`, `xsk-txonly` and `xsk-l2fwd` share: their options (the contract of
//! `bench/README.md`: `--iface IF --queue Q --batch N --duration S --warmup S [--poll]`), the
//! standalone sandbox with its traffic, the measuring loop's clock, and the `RESULT` line.
//!
//! Standalone (no `--iface`) they build a sandbox of one queue: the program under test on the
//! left end; on the right end a generator ([`crate::livegen`]: live frames, or AF_PACKET where
//! the kernel refuses them; rx modes) and a
//! counting `XDP_DROP` sink (tx modes), so what the program sends is counted independently.

use std::time::{Duration, Instant};

use xsk_runtime::attach::{AttachOptions, XdpMode};
use xsk_runtime::socket::{BindMode, BusyPoll, SocketConfig, XskSocket};
use xsk_runtime::xsk::{Queues, RedirectProgram, XskInterface, XskInterfaceConfig, XskQueue};

use crate::error::{Context, Error, Result};
use crate::livegen::{GenConfig, Generator};
use crate::packet::{udp_frame, UdpFlow};
use crate::programs::PKTGEN_TX;
use crate::report::{human, Ticker, Window};
use crate::sandbox::{Sandbox, Sink};
use crate::signals::Stop;

/// The options of the three benchmark programs.
#[derive(Debug, Clone)]
pub struct BenchOpts {
    /// The interface; `None`: a self-made sandbox.
    pub iface: Option<String>,
    /// The queue to bind to.
    pub queue: u32,
    /// Copy, zero-copy, or let the kernel choose.
    pub bind_mode: BindMode,
    /// Descriptors per ring operation.
    pub batch: u32,
    /// Bind with `XDP_USE_NEED_WAKEUP`.
    pub need_wakeup: bool,
    /// Set the busy-polling socket options and drive the queue with syscalls.
    pub busy_poll: bool,
    /// `poll()` when the RX ring is empty instead of spinning.
    pub poll: bool,
    /// Measured time (after the warm-up).
    pub duration: Duration,
    /// Time before the measurement starts.
    pub warmup: Duration,
    /// XDP attach mode of the redirect program.
    pub xdp_mode: XdpMode,
    /// Frame length of txonly's packets (and of the standalone generator's).
    pub tx_len: usize,
    /// Frames of the UMEM.
    pub frames: u32,
    /// Entries of each ring.
    pub ring: u32,
    /// Queues `queue..queue + queues`, one [`Workers`](xsk_runtime::xsk::Workers) thread each
    /// (`--queues`); 1 without `--queues`/`--cpus`: the single-threaded loop.
    pub queues: u32,
    /// The workers' CPUs (`--cpus`), in queue order; empty: queue `i` on CPU `i`.
    pub cpus: Vec<usize>,
}

impl BenchOpts {
    /// True when the run goes through [`crate::multiqueue`] (one worker thread per queue):
    /// `--queues` above 1 or `--cpus` given.
    pub fn workers(&self) -> bool {
        self.queues > 1 || !self.cpus.is_empty()
    }
}

/// What `--help` of a benchmark program ends with.
const BENCH_NOTE: &str = "Prints the rate each second and, at the end, for bench/harness.py:\n  \
     RESULT impl=rust mode=M pkts=N secs=S pps=P cpu_ns_per_pkt=C total_pkts=T\n\
     (pkts, secs, pps, cpu_ns_per_pkt: the window after the warm-up; CPU = user + system of\n\
     the process from getrusage, or of the measuring thread alone in the standalone sandbox,\n\
     whose generator runs in the same process; total_pkts: the whole run).";

/// The command line of the benchmark programs (checked further by [`bench_opts`]).
#[derive(Debug, clap::Parser)]
#[command(after_help = BENCH_NOTE)]
pub struct BenchArgs {
    /// interface (default: a self-made sandbox with a generator)
    #[arg(short, long, value_name = "NAME")]
    pub iface: Option<String>,
    /// queue to bind to
    #[arg(short, long, value_name = "N", default_value = "0")]
    pub queue: u32,
    /// force copy mode (XDP_COPY) [the default]
    #[arg(short, long)]
    pub copy: bool,
    /// force zero-copy mode (XDP_ZEROCOPY); fails where the driver has none (veth)
    #[arg(short, long)]
    pub zero_copy: bool,
    /// let the kernel choose copy or zero-copy
    #[arg(long)]
    pub auto_mode: bool,
    /// descriptors per ring operation
    #[arg(short, long, value_name = "N", default_value = "64")]
    pub batch: u32,
    /// bind without XDP_USE_NEED_WAKEUP
    #[arg(short = 'N', long)]
    pub no_need_wakeup: bool,
    /// SO_PREFER_BUSY_POLL + SO_BUSY_POLL(20 us) + budget = batch
    #[arg(short = 'B', long)]
    pub busy_poll: bool,
    /// poll() while the RX ring is empty, instead of spinning
    #[arg(short, long)]
    pub poll: bool,
    /// measured seconds
    #[arg(short, long, value_name = "SECS", default_value = "10", value_parser = crate::args::seconds)]
    pub duration: Duration,
    /// seconds before the measurement
    #[arg(short, long, value_name = "SECS", default_value = "1", value_parser = crate::args::seconds)]
    pub warmup: Duration,
    /// XDP attach mode: auto, native, skb (attached by bpf_link, which the kernel removes even
    /// after SIGKILL; by netlink before kernel 5.9, which a SIGKILL leaves attached)
    #[arg(long, value_name = "MODE", default_value = "auto")]
    pub xdp_mode: String,
    /// length of the frames sent (txonly, generator)
    #[arg(short = 's', long, value_name = "BYTES", default_value = "60")]
    pub tx_len: usize,
    /// UMEM frames (4096 bytes each)
    #[arg(long, value_name = "N", default_value = "4096")]
    pub frames: u32,
    /// entries of each ring (power of two)
    #[arg(long, value_name = "N", default_value = "2048")]
    pub ring: u32,
    /// xsk-rxdrop, xsk-l2fwd: sockets on N queues from --queue on, one worker thread each
    /// (xsk_runtime's Workers); --frames per queue
    #[arg(long, value_name = "N", default_value = "1")]
    pub queues: u32,
    /// CPUs of the worker threads, comma-separated, one per queue (default: queue i on CPU i);
    /// given with --queues 1, the one queue also runs as a worker
    #[arg(long, value_name = "LIST", value_delimiter = ',')]
    pub cpus: Vec<usize>,
}

/// Parses the command line of a benchmark program called `name`, described by `about`.
pub fn bench_args(name: &'static str, about: &'static str) -> Result<BenchArgs> {
    use clap::CommandFactory;
    let cmd = BenchArgs::command().name(name).bin_name(name).about(about);
    crate::args::parse_from(cmd, std::env::args_os())
}

/// Reads [`BenchOpts`] from parsed arguments.
pub fn bench_opts(args: &BenchArgs) -> Result<BenchOpts> {
    let modes = [args.copy, args.zero_copy, args.auto_mode];
    if modes.iter().filter(|&&m| m).count() > 1 {
        return Err(Error::Usage(
            "--copy, --zero-copy and --auto-mode exclude each other".into(),
        ));
    }
    let bind_mode = if args.zero_copy {
        BindMode::ZeroCopy
    } else if args.auto_mode {
        BindMode::Auto
    } else {
        BindMode::Copy
    };
    let xdp_mode = XdpMode::from_name(&args.xdp_mode).ok_or_else(|| {
        Error::Usage("--xdp-mode must be auto, native (drv) or skb (generic)".into())
    })?;
    let (batch, ring, frames, tx_len) = (args.batch, args.ring, args.frames, args.tx_len);
    if batch == 0 || batch > ring {
        return Err(Error::Usage(format!(
            "--batch must be 1 to the ring size {ring}"
        )));
    }
    if !ring.is_power_of_two() || !(64..=65536).contains(&ring) {
        return Err(Error::Usage(
            "--ring must be a power of two from 64 to 65536".into(),
        ));
    }
    if frames < 2 * batch || frames > 1 << 20 {
        return Err(Error::Usage(format!(
            "--frames must be {} to 1048576",
            2 * batch
        )));
    }
    if !(42..=3000).contains(&tx_len) {
        return Err(Error::Usage("--tx-len must be 42 to 3000 bytes".into()));
    }
    let iface = args.iface.clone();
    let queue = args.queue;
    if iface.is_none() && queue != 0 {
        return Err(Error::Usage(
            "the standalone sandbox has one queue: --queue must be 0 without --iface".into(),
        ));
    }
    if !(1..=64).contains(&args.queues) {
        return Err(Error::Usage("--queues must be 1 to 64".into()));
    }
    if args.queues > 1 && iface.is_none() {
        return Err(Error::Usage(
            "the standalone sandbox has one queue: --queues needs --iface".into(),
        ));
    }
    if !args.cpus.is_empty() && args.cpus.len() != args.queues as usize {
        return Err(Error::Usage(format!(
            "--cpus lists {} CPU(s) for {} queue(s): give one per queue",
            args.cpus.len(),
            args.queues
        )));
    }
    Ok(BenchOpts {
        queues: args.queues,
        cpus: args.cpus.clone(),
        iface,
        queue,
        bind_mode,
        batch,
        need_wakeup: !args.no_need_wakeup,
        busy_poll: args.busy_poll,
        poll: args.poll,
        duration: args.duration,
        warmup: args.warmup,
        xdp_mode,
        tx_len,
        frames,
        ring,
    })
}

impl BenchOpts {
    /// The socket configuration these options ask for.
    pub fn socket_config(&self, rx: bool, tx: bool) -> SocketConfig {
        SocketConfig {
            rx_size: if rx { self.ring } else { 0 },
            tx_size: if tx { self.ring } else { 0 },
            fill_size: self.ring * 2,
            completion_size: self.ring,
            mode: self.bind_mode,
            need_wakeup: self.need_wakeup,
            multi_buffer: false,
            ..Default::default()
        }
    }

    /// The attach options.
    pub fn attach(&self) -> AttachOptions {
        AttachOptions {
            mode: self.xdp_mode,
            ..Default::default()
        }
    }

    /// The busy-poll settings, if asked for.
    pub fn busy(&self) -> Option<BusyPoll> {
        self.busy_poll.then_some(BusyPoll {
            usecs: 20,
            budget: self.batch,
            prefer: true,
        })
    }
}

/// "IF queue Q (copy mode, need_wakeup on, batch N": how each benchmark's first line
/// describes its socket (the caller closes the parenthesis).
pub fn socket_summary(net: &Net, opts: &BenchOpts, sock: &XskSocket) -> String {
    format!(
        "{} queue {} ({} mode, need_wakeup {}, batch {}",
        net.iface,
        opts.queue,
        if sock.is_zero_copy() {
            "zero-copy"
        } else {
            "copy"
        },
        if sock.uses_need_wakeup() { "on" } else { "off" },
        opts.batch
    )
}

/// The receiving benchmarks' AF_XDP setup (`xsk-rxdrop`, `xsk-l2fwd`): an [`XskInterface`] on
/// `opts.queue` of `net` with the redirect-everything program, the UMEM of `opts.frames`
/// frames, a TX ring if `tx`, `prefill` frames on the fill ring; then, standalone, the
/// generator starts.
pub fn open_rx_interface(
    net: &mut Net,
    opts: &BenchOpts,
    tx: bool,
    prefill: u32,
) -> Result<XskInterface> {
    let mut cfg = XskInterfaceConfig {
        queues: Queues::List((opts.queue..opts.queue + opts.queues).collect()),
        program: RedirectProgram::Custom(crate::programs::REDIRECT_ALL),
        attach: opts.attach(),
        socket: opts.socket_config(true, tx),
        ..Default::default()
    };
    cfg.umem.frame_count = opts.frames * opts.queues;
    cfg.prefill = Some(prefill);
    let xi = XskInterface::open(&net.iface, &cfg).context(format!(
        "setting up AF_XDP on {} queue(s) {}..{}",
        net.iface,
        opts.queue,
        opts.queue + opts.queues
    ))?;
    if net.standalone() {
        net.start_generator(opts.tx_len)?;
    }
    Ok(xi)
}

/// The only queue of an [`open_rx_interface`] interface, with busy polling set if asked for.
pub fn first_queue<'a>(xi: &'a mut XskInterface, opts: &BenchOpts) -> Result<&'a mut XskQueue> {
    let q = xi
        .queues_mut()
        .first_mut()
        .ok_or_else(|| Error::Failed("no socket was opened".into()))?;
    if let Some(b) = opts.busy() {
        q.socket
            .set_busy_poll(&b)
            .context("setting busy-poll options")?;
    }
    Ok(q)
}

/// The network of a run: the interface to use and, standalone, the sandbox with its generator
/// and sink. The calling thread is in the interface's namespace after [`Net::new`].
#[derive(Debug)]
pub struct Net {
    /// The interface name in the calling thread's namespace.
    pub iface: String,
    /// Source and destination for frames this side sends (txonly): in the sandbox towards the
    /// right end; on a real interface the benchmark's defaults (as the C reference).
    pub flow: UdpFlow,
    sandbox: Option<Sandbox>,
    generator: Option<Generator>,
    /// What the generator sent, once [`Net::stop_generator`] stopped it.
    generated: Option<u64>,
    sink: Option<Sink>,
}

impl Net {
    /// The interface of `opts`, or a fresh sandbox (whose left namespace the calling thread
    /// enters) with a counting sink on the right end when `sink` is set.
    pub fn new(name: &str, opts: &BenchOpts, sink: bool) -> Result<Net> {
        let default_flow = UdpFlow {
            src_mac: [2, 0, 0, 0, 0, 2],
            dst_mac: [2, 0, 0, 0, 0, 1],
            src_ip: xsk_testkit::netns::RIGHT_IPV4,
            dst_ip: xsk_testkit::netns::LEFT_IPV4,
            src_port: 9,
            dst_port: 9,
        };
        match &opts.iface {
            Some(i) => Ok(Net {
                iface: i.clone(),
                flow: UdpFlow {
                    src_mac: crate::iface_mac(i).unwrap_or(default_flow.src_mac),
                    ..default_flow
                },
                sandbox: None,
                generator: None,
                generated: None,
                sink: None,
            }),
            None => {
                let sb = Sandbox::new(name, 1)?;
                let sink = if sink {
                    Some(Sink::attach(&sb.pair.right)?)
                } else {
                    None
                };
                sb.enter_left()?;
                Ok(Net {
                    iface: sb.pair.left.name.clone(),
                    flow: UdpFlow {
                        src_mac: sb.pair.left.mac,
                        dst_mac: sb.pair.right.mac,
                        src_ip: sb.pair.left.ipv4,
                        dst_ip: sb.pair.right.ipv4,
                        src_port: 9,
                        dst_port: 9,
                    },
                    sandbox: Some(sb),
                    generator: None,
                    generated: None,
                    sink,
                })
            }
        }
    }

    /// Standalone only: starts the generator on the right end (live frames, or AF_PACKET where
    /// the kernel refuses them: [`Generator::start`] probes), sending `len`-byte
    /// UDP frames to the left end as fast as it can until [`Net::finish`]. As the benchmark
    /// harness does, the generator is pinned to CPU 0 and the calling thread (the program under
    /// test) to CPU 1, when the machine has two CPUs or more.
    pub fn start_generator(&mut self, len: usize) -> Result<()> {
        let Some(sb) = &self.sandbox else {
            return Ok(());
        };
        crate::signals::install_interrupt_handler()?;
        let flow = UdpFlow {
            src_mac: sb.pair.right.mac,
            dst_mac: sb.pair.left.mac,
            src_ip: sb.pair.right.ipv4,
            dst_ip: sb.pair.left.ipv4,
            src_port: 9,
            dst_port: 9,
        };
        let cfg = GenConfig {
            ifindex: sb.pair.right.ifindex,
            queues: vec![0],
            cpus: vec![0],
            packet: udp_frame(&flow, &vec![0x5a; len.saturating_sub(42)]),
            count: None,
            batch: 64,
            rate: None,
            program: PKTGEN_TX,
        };
        let gen = Generator::start(&cfg, Some(&sb.pair.right.ns))?;
        let engine = gen.engine_summary();
        self.generator = Some(gen);
        if std::thread::available_parallelism().map_or(1, |n| n.get()) >= 2 {
            let mut set = nix::sched::CpuSet::new();
            if set.set(1).is_ok() {
                // Best effort: CPU 1 may be outside the allowed set.
                let _ = nix::sched::sched_setaffinity(nix::unistd::Pid::from_raw(0), &set);
            }
        }
        eprintln!(
            "sandbox: generator started on {} (engine: {engine})",
            sb.pair.right.name
        );
        Ok(())
    }

    /// Stops the sandbox's generator, if it runs (its count is printed by [`Net::finish`]).
    /// The benchmarks call it before they close their sockets and detach their program: a
    /// frame that reached the left end after that would go to its network stack, which
    /// answers (ICMP port unreachable, ARP) on the veth the sandbox counts.
    pub fn stop_generator(&mut self) -> Result<()> {
        if let Some(g) = self.generator.take() {
            self.generated = Some(g.stop()?);
        }
        Ok(())
    }

    /// Frames the sandbox's sink counted so far (0 without one).
    pub fn sink_count(&self) -> u64 {
        self.sink.as_ref().map_or(0, Sink::count)
    }

    /// True when running in the self-made sandbox.
    pub fn standalone(&self) -> bool {
        self.sandbox.is_some()
    }

    /// Stops the generator and removes the sandbox, printing what the far side counted.
    pub fn finish(mut self) -> Result<()> {
        let result = self.stop_generator();
        if let Some(n) = self.generated {
            eprintln!("sandbox: the generator sent {n} frames");
        }
        if let Some(s) = self.sink.take() {
            eprintln!(
                "sandbox: the sink on the right end counted {} frames",
                s.count()
            );
        }
        if let Some(sb) = self.sandbox.take() {
            crate::linkstats::print_pair(&sb.pair);
            sb.remove();
        }
        result
    }
}

/// The measuring loop's clock: warm-up, window, end, the line per second.
#[derive(Debug)]
pub struct Clock {
    mode: &'static str,
    start: Instant,
    warmup: Duration,
    end: Duration,
    window: Option<Window>,
    ticker: Ticker,
    last_total: u64,
    iter: u32,
    thread_only: bool,
}

impl Clock {
    /// A clock for `mode` (`rxdrop`, ...), starting now. With `thread_only` (standalone runs,
    /// whose generator is a thread of this process) the CPU figure counts only the calling
    /// thread.
    pub fn new(mode: &'static str, opts: &BenchOpts, thread_only: bool) -> Clock {
        Clock {
            thread_only,
            mode,
            start: Instant::now(),
            warmup: opts.warmup,
            end: opts.warmup + opts.duration,
            window: opts.warmup.is_zero().then(|| Window::open(0, thread_only)),
            ticker: Ticker::new(Duration::from_secs(1)),
            last_total: 0,
            iter: 0,
        }
    }

    /// Call once per loop step with the packets so far and whether the step did work; looks at
    /// the time every 256 busy steps and on every idle one. Returns false when the run is over.
    #[inline]
    pub fn step(&mut self, total: u64, idle: bool, stop: &Stop) -> bool {
        self.iter = self.iter.wrapping_add(1);
        if !idle && self.iter & 255 != 0 {
            return true;
        }
        if stop.is_set() {
            return false;
        }
        let t = self.start.elapsed();
        if self.window.is_none() && t >= self.warmup {
            self.window = Some(Window::open(total, self.thread_only));
        }
        if let Some((secs, dt)) = self.ticker.due() {
            println!(
                "{}: t={secs:5.1}s pkts={total} pps={}",
                self.mode,
                human((total - self.last_total) as f64 / dt)
            );
            self.last_total = total;
        }
        t < self.end
    }

    /// The `RESULT` line of the window measured, or an error if the run was stopped during the
    /// warm-up, before anything was measured (`total`: packets of the whole run).
    pub fn finish(&self, total: u64) -> Result<String> {
        match &self.window {
            Some(w) => Ok(w.result_line(self.mode, total)),
            None => Err(Error::Failed(format!(
                "interrupted after {:.1} s, during the {:.1} s warm-up: nothing was measured \
                 ({total} packets in the warm-up), so there is no RESULT",
                self.start.elapsed().as_secs_f64(),
                self.warmup.as_secs_f64()
            ))),
        }
    }

    /// The `RESULT` line (of the whole run if it was stopped during the warm-up; prefer
    /// [`Clock::finish`], which says so).
    pub fn result(&self, total: u64) -> String {
        match &self.window {
            Some(w) => w.result_line(self.mode, total),
            None => Window::open(total, self.thread_only).result_line(self.mode, total),
        }
    }
}
