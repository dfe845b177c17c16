//! `xsk-pktgen`: generates UDP packets into an interface at high rate. Two engines, chosen by a
//! probe of the interface at start (`--engine` forces one), and printed:
//!
//! - live frames: `BPF_PROG_TEST_RUN` live frames — an XDP program (written with
//!   `defprogram!`) returns `XDP_TX` for copies of one packet, which the kernel sends out of the
//!   interface; `--redirect IF` sends them out of another interface with `bpf_redirect` (a
//!   program made with the builder API). `--rate PPS` paces inside the XDP program
//!   (`livegen::PKTGEN_PACED`): each thread still makes one long call, and its program sends a
//!   copy only when `bpf_ktime_get_ns()` has reached the time the next frame is due (kept in a
//!   map), dropping the copy otherwise.
//! - AF_PACKET, where the kernel lacks or refuses live frames: a raw packet socket per thread
//!   sends batches of copies with `sendmmsg` past the qdisc, out of the interface (or the
//!   `--redirect` one); `--rate` paces each thread in user space by the same rules.
//!
//! One thread per queue; bounded by `--count` and `--duration`. Without `--iface` it builds its
//! own sandbox (two namespaces joined by a veth pair), generates on the right end and counts
//! what arrives on the left with an `XDP_DROP` sink.

use std::net::Ipv4Addr;
use std::time::Duration;

use clap::Parser;
use xsk_examples::args;
use xsk_examples::livegen::{Engine, GenConfig, Generator, PaceOptions, DEFAULT_BURST};
use xsk_examples::packet::{udp_frame, UdpFlow};
use xsk_examples::programs::{redirect_program, PKTGEN_TX};
use xsk_examples::report::{human, Ticker};
use xsk_examples::sandbox::{Sandbox, Sink};
use xsk_examples::signals::{install_interrupt_handler, Stop};
use xsk_examples::{iface_mac, require_root, run_main, Context, Error, Result};

const NAME: &str = "xsk-pktgen";
/// `DEFAULT_BURST` as the option's default text (checked in `run`).
const BURST_DEFAULT: &str = "256";

/// generate packets: BPF_PROG_TEST_RUN live frames (XDP_TX or redirect), or AF_PACKET where
/// the kernel refuses live frames
#[derive(Debug, Parser)]
#[command(
    name = NAME,
    after_help = "Prints the rate each second and, at the end:\n  RESULT tool=pktgen impl=rust secs=S pkts=N pps=P\n\nExamples:\n  xsk-pktgen                                   # sandbox, 10 s, counted by a sink\n  xsk-pktgen --iface veth0 -q 2 --cpus 0,1 -d 5\n  xsk-pktgen --rate 100000 -d 5                 # sandbox, paced to 100k frames/s\n  xsk-pktgen --iface veth0 --count 1000000 --size 128 --dst-port 4242"
)]
struct Cli {
    /// interface to send out of (default: a self-made sandbox)
    #[arg(short, long, value_name = "NAME")]
    iface: Option<String>,
    /// threads, one per queue 0..N
    #[arg(short, long, value_name = "N", default_value = "1")]
    queues: u32,
    /// pin the threads to these CPUs, e.g. 0,1
    #[arg(long, value_name = "LIST")]
    cpus: Option<String>,
    /// frame length without FCS (42 to 1500)
    #[arg(short, long, value_name = "BYTES", default_value = "60")]
    size: usize,
    /// source MAC [default: the interface's, sandbox: its right end]
    #[arg(short = 'S', long, value_name = "MAC", value_parser = args::mac)]
    src_mac: Option<[u8; 6]>,
    /// destination MAC [default: 02:00:00:00:00:02, sandbox: its left end]
    #[arg(short = 'D', long, value_name = "MAC", value_parser = args::mac)]
    dst_mac: Option<[u8; 6]>,
    /// source address
    #[arg(long, value_name = "IPV4", default_value = "10.77.0.2")]
    src_ip: Ipv4Addr,
    /// destination address
    #[arg(long, value_name = "IPV4", default_value = "10.77.0.1")]
    dst_ip: Ipv4Addr,
    /// UDP source port
    #[arg(long, value_name = "PORT", default_value = "9")]
    src_port: u16,
    /// UDP destination port
    #[arg(long, value_name = "PORT", default_value = "9")]
    dst_port: u16,
    /// stop after N frames in all
    #[arg(short, long, value_name = "N")]
    count: Option<u64>,
    /// frames per second in all, paced inside the XDP program (live frames) or by each thread
    /// (AF_PACKET) (default: as fast as possible)
    #[arg(short, long, value_name = "PPS")]
    rate: Option<u64>,
    /// with --rate: frames a thread may send back to back to catch up after a pause
    #[arg(long, value_name = "N", default_value = BURST_DEFAULT)]
    burst: u32,
    /// stop after this many seconds
    #[arg(short, long, value_name = "SECS", default_value = "10", value_parser = args::seconds)]
    duration: Duration,
    /// frames per kernel batch (1 to 256): live frames' batch_size, AF_PACKET's sendmmsg
    #[arg(long, value_name = "N", default_value = "64")]
    batch: u32,
    /// send the frames out of this interface: bpf_redirect instead of XDP_TX (live frames),
    /// the socket bound to it (AF_PACKET)
    #[arg(long, value_name = "IFNAME")]
    redirect: Option<String>,
    /// auto (live frames where a probe of the interface runs them, else AF_PACKET), live,
    /// af-packet
    #[arg(long, value_name = "ENGINE", default_value = "auto")]
    engine: String,
}

fn main() -> std::process::ExitCode {
    run_main(NAME, run)
}

fn run() -> Result<()> {
    let args: Cli = args::parse()?;
    require_root(NAME)?;
    let stop = Stop::install()?;
    install_interrupt_handler()?;
    let queues = args.queues;
    if !(1..=64).contains(&queues) {
        return Err(Error::Usage("--queues must be 1 to 64".into()));
    }
    let size = args.size;
    if !(42..=1500).contains(&size) {
        return Err(Error::Usage("--size must be 42 to 1500 bytes".into()));
    }
    let batch = args.batch;
    if !(1..=256).contains(&batch) {
        return Err(Error::Usage("--batch must be 1 to 256".into()));
    }
    let cpus: Vec<usize> = match args.cpus.as_deref() {
        None => Vec::new(),
        Some(s) => s
            .split(',')
            .map(|c| c.trim().parse::<usize>())
            .collect::<std::result::Result<_, _>>()
            .map_err(|_| Error::Usage(format!("--cpus: `{s}` is not a list like 0,1")))?,
    };
    let (duration, count, rate) = (args.duration, args.count, args.rate);
    let (src_ip, dst_ip, src_port, dst_port) =
        (args.src_ip, args.dst_ip, args.src_port, args.dst_port);

    let iface = args.iface.clone();
    let sandbox = match &iface {
        Some(_) => None,
        None => Some(Sandbox::new("pktgen", queues)?),
    };
    let (ifindex, default_src, default_dst) = match (&iface, &sandbox) {
        (Some(name), _) => (
            xsk_runtime::os::if_nametoindex(name).context(format!("interface {name}"))?,
            iface_mac(name).unwrap_or([2, 0, 0, 0, 0, 1]),
            [2, 0, 0, 0, 0, 2],
        ),
        (None, Some(sb)) => (sb.pair.right.ifindex, sb.pair.right.mac, sb.pair.left.mac),
        (None, None) => unreachable!("a sandbox exists when no interface is given"),
    };
    let sink = match &sandbox {
        Some(sb) => Some(Sink::attach(&sb.pair.left)?),
        None => None,
    };
    let flow = UdpFlow {
        src_mac: args.src_mac.unwrap_or(default_src),
        dst_mac: args.dst_mac.unwrap_or(default_dst),
        src_ip,
        dst_ip,
        src_port,
        dst_port,
    };
    let payload = vec![0x5a; size - 42];
    let burst = args.burst;
    if !(1..=1_000_000).contains(&burst) {
        return Err(Error::Usage("--burst must be 1 to 1000000 frames".into()));
    }
    debug_assert_eq!(BURST_DEFAULT.parse::<u32>().ok(), Some(DEFAULT_BURST));
    if rate == Some(0) {
        return Err(Error::Usage("--rate must be at least 1".into()));
    }
    let engine = match args.engine.as_str() {
        "auto" => None,
        "live" => Some(Engine::LiveFrames),
        "af-packet" => Some(Engine::AfPacket),
        other => {
            return Err(Error::Usage(format!(
                "--engine must be auto, live or af-packet, not `{other}`"
            )))
        }
    };
    let redirect = match args.redirect.as_deref() {
        None => None,
        Some(out) => Some(
            match &sandbox {
                Some(sb) => sb.pair.right.ns.ifindex(out),
                None => xsk_runtime::os::if_nametoindex(out),
            }
            .context(format!("--redirect interface {out}"))?,
        ),
    };
    // With --rate the generator runs its own paced program (livegen::PKTGEN_PACED), which
    // sends with XDP_TX or redirects to `redirect`; the AF_PACKET engine sends out of
    // `redirect` (else `ifindex`) and does not use the program.
    let program = match redirect {
        None => PKTGEN_TX,
        Some(out_if) => redirect_program(out_if)?,
    };
    let cfg = GenConfig {
        ifindex,
        queues: (0..queues).collect(),
        cpus,
        packet: udp_frame(&flow, &payload),
        count,
        batch,
        rate,
        program,
    };
    let netns = sandbox.as_ref().map(|sb| &sb.pair.right.ns);
    println!(
        "{NAME}: {queues} thread(s), {size}-byte frames {}:{src_port} -> {}:{dst_port}, {}",
        flow.src_ip,
        flow.dst_ip,
        match count {
            Some(c) => format!("{c} frames or {:.1} s", duration.as_secs_f64()),
            None => format!("{:.1} s", duration.as_secs_f64()),
        } + &rate
            .map(|r| format!(" at {r} frames/s"))
            .unwrap_or_default()
    );
    let pace = PaceOptions {
        redirect,
        engine,
        burst,
    };
    let gen = Generator::start_with(&cfg, netns, pace)?;
    println!("{NAME}: engine: {}", gen.engine_summary());
    let mut ticker = Ticker::new(Duration::from_secs(1));
    let mut last = 0u64;
    while !stop.is_set() && !gen.finished() && gen.elapsed() < duration.as_secs_f64() {
        std::thread::sleep(Duration::from_millis(10));
        if let Some((t, dt)) = ticker.due() {
            let now = gen.sent();
            let sink_txt = sink
                .as_ref()
                .map(|s| format!(" received={}", s.count()))
                .unwrap_or_default();
            println!(
                "t={t:5.1}s sent={now} pps={}{sink_txt}",
                human((now - last) as f64 / dt)
            );
            last = now;
        }
    }
    let secs = gen.elapsed();
    let short = gen.short_batches();
    let sent = gen.stop()?;
    if short > 0 {
        eprintln!(
            "{NAME}: {short} AF_PACKET batch(es) ended early at a frame the kernel refused \
             (sendmmsg reports only a first frame's error): if the interface dropped it, its \
             tx_dropped counts it and the sent count does not"
        );
    }
    println!(
        "RESULT tool=pktgen impl=rust secs={secs:.3} pkts={sent} pps={:.0}",
        sent as f64 / secs.max(1e-9)
    );
    if let Some(r) = rate {
        let due = (r as f64 * secs).min(count.map_or(f64::INFINITY, |c| c as f64));
        if (sent as f64) < 0.9 * due {
            eprintln!(
                "{NAME}: sent {sent} of the {due:.0} frames due at {r}/s: the generator's threads \
                 were descheduled for longer than --burst {burst} frames lets them catch up \
                 (a busy CPU); a larger --burst or a CPU of its own (--cpus) keeps the rate"
            );
        }
    }
    if let (Some(sink), Some(sb)) = (sink, sandbox) {
        // Frames still in flight arrive within milliseconds.
        std::thread::sleep(Duration::from_millis(100));
        let got = sink.count();
        println!(
            "sandbox: the sink on {} received {got} of {sent} frames",
            sb.pair.left.name
        );
        xsk_examples::linkstats::print_pair(&sb.pair);
        drop(sink);
        sb.remove();
        if got == 0 && sent > 0 {
            return Err(Error::Failed(
                "no frame arrived at the sandbox's sink".into(),
            ));
        }
    }
    Ok(())
}
