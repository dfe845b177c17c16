//! `xsk-capture`: writes what an XDP program redirects to AF_XDP sockets into a pcap file that
//! tcpdump and tshark read (classic pcap, `LINKTYPE_ETHERNET`). The filter is the program:
//! `--filter all` is the guides' redirect-everything program, `udp` the guides' UDP-only
//! program (both `defprogram!`), `udp-port=N` a program built at run time with the builder API
//! and the XDP parsing snippets. Redirected packets are consumed: they do not reach the
//! kernel stack while the capture runs.
//!
//! Without `--iface` it makes a sandbox, sends known traffic from the far end (UDP to two
//! ports and TCP SYNs), and checks that the file holds exactly what the filter selects.

use std::net::{SocketAddrV4, TcpStream, UdpSocket};
use std::path::PathBuf;
use std::time::{Duration, Instant};

use clap::Parser;
use ebpf_dsl::ProgramSpec;
use xsk_examples::afxdp::{self, queues_of};
use xsk_examples::args;
use xsk_examples::packet::{parse, Parsed};
use xsk_examples::pcap::{self, PcapWriter};
use xsk_examples::programs::{udp_port_program, REDIRECT_ALL, UDP_ONLY};
use xsk_examples::report::{human, Ticker};
use xsk_examples::sandbox::Sandbox;
use xsk_examples::signals::Stop;
use xsk_examples::{require_root, run_main, Error, Result};
use xsk_runtime::XskInterface;

const NAME: &str = "xsk-capture";
/// The sandbox's traffic: UDP datagrams to each of these ports, and TCP SYNs.
const PORTS: [u16; 2] = [9000, 9001];
const UDP_PER_PORT: u64 = 25;
const SYNS: u64 = 5;

/// write the packets an XDP program redirects to AF_XDP sockets into a pcap file
#[derive(Debug, Parser)]
#[command(
    name = NAME,
    after_help = "Examples:\n  sudo xsk-capture -w /tmp/sandbox.pcap --filter udp-port=9000 && tcpdump -r /tmp/sandbox.pcap\n  sudo xsk-capture --iface eth0 --filter udp -c 100 -w udp.pcap"
)]
struct Cli {
    /// the pcap file to write
    #[arg(short, long, value_name = "FILE", default_value = "xsk-capture.pcap")]
    write: PathBuf,
    /// stop after N packets
    #[arg(short, long, value_name = "N")]
    count: Option<u64>,
    /// stop after this many seconds
    #[arg(short, long, value_name = "SECS", default_value = "10", value_parser = args::seconds)]
    duration: Duration,
    /// what to capture: all, udp, udp-port=N
    #[arg(short, long, value_name = "FILTER", default_value = "all")]
    filter: String,
    /// interface (default: a self-made sandbox with test traffic)
    #[arg(short, long, value_name = "NAME")]
    iface: Option<String>,
    /// only this queue (default: every queue)
    #[arg(short, long, value_name = "N")]
    queue: Option<u32>,
    /// bytes kept of each packet
    #[arg(short, long, value_name = "BYTES", default_value = "65535")]
    snaplen: u32,
}

fn main() -> std::process::ExitCode {
    run_main(NAME, run)
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Filter {
    All,
    Udp,
    UdpPort(u16),
}

impl Filter {
    fn parse(s: &str) -> Result<Filter> {
        match s {
            "all" => Ok(Filter::All),
            "udp" => Ok(Filter::Udp),
            _ => match s.strip_prefix("udp-port=").map(str::parse::<u16>) {
                Some(Ok(p)) => Ok(Filter::UdpPort(p)),
                _ => Err(Error::Usage(format!(
                    "--filter `{s}`: expected all, udp or udp-port=N"
                ))),
            },
        }
    }

    fn program(self) -> Result<ProgramSpec> {
        Ok(match self {
            Filter::All => REDIRECT_ALL,
            Filter::Udp => UDP_ONLY,
            Filter::UdpPort(p) => udp_port_program(p)?,
        })
    }

    /// Packets of the sandbox's traffic this filter selects.
    fn expected(self) -> u64 {
        match self {
            Filter::All => UDP_PER_PORT * PORTS.len() as u64 + SYNS,
            Filter::Udp => UDP_PER_PORT * PORTS.len() as u64,
            Filter::UdpPort(p) if PORTS.contains(&p) => UDP_PER_PORT,
            Filter::UdpPort(_) => 0,
        }
    }
}

fn run() -> Result<()> {
    let args: Cli = args::parse()?;
    let filter = Filter::parse(&args.filter)?;
    let path = args.write;
    let count = args.count;
    let duration = args.duration;
    let snaplen = args.snaplen;
    if !(64..=262_144).contains(&snaplen) {
        return Err(Error::Usage("--snaplen must be 64 to 262144".into()));
    }
    let queue = args.queue;
    require_root(NAME)?;
    let stop = Stop::install()?;
    let program = filter.program()?;
    match args.iface.as_deref() {
        Some(iface) => {
            let qs = queues_of(iface, queue);
            let mut xdp = afxdp::open_iface(iface, &qs, program, 2048)?;
            println!(
                "{NAME}: {} on {iface} ({}), {} queue(s), writing {}",
                xdp.program().name(),
                afxdp::attach_info(&xdp),
                qs.len(),
                path.display()
            );
            let n = capture(&mut xdp, &path, snaplen, count, duration, &stop, || false)?;
            println!("{NAME}: {n} packets written to {}", path.display());
            Ok(())
        }
        None => {
            if queue.is_some_and(|q| q > 1) {
                return Err(Error::Usage("the sandbox has queues 0 and 1".into()));
            }
            let sb = Sandbox::new("capture", 2)?;
            let r = sandbox_run(
                &sb, filter, program, queue, &path, snaplen, count, duration, &stop,
            );
            sb.remove();
            r
        }
    }
}

#[allow(clippy::too_many_arguments)]
fn sandbox_run(
    sb: &Sandbox,
    filter: Filter,
    program: ProgramSpec,
    queue: Option<u32>,
    path: &std::path::Path,
    snaplen: u32,
    count: Option<u64>,
    duration: Duration,
    stop: &Stop,
) -> Result<()> {
    let qs = match queue {
        Some(q) => vec![q],
        None => vec![0, 1],
    };
    let mut xdp = afxdp::open_sandbox(sb, &qs, program, 1024)?;
    println!(
        "{NAME}: {} on {} ({}), writing {}; sending {} UDP datagrams to ports {PORTS:?} and {SYNS} TCP SYNs",
        xdp.program().name(),
        sb.pair.left.name,
        afxdp::attach_info(&xdp),
        path.display(),
        UDP_PER_PORT * PORTS.len() as u64
    );
    let (left, right) = (sb.pair.left.ipv4, sb.pair.right.ipv4);
    // The traffic. The veth picks the queue by flow hash, so only a capture on every queue
    // (the default) is checked against the whole of it.
    let sender = sb.pair.right.ns.spawn(move || -> std::io::Result<()> {
        let s = UdpSocket::bind((right, 0))?;
        for i in 0..UDP_PER_PORT {
            for p in PORTS {
                s.send_to(
                    format!("capture test {i} to port {p}").as_bytes(),
                    (left, p),
                )?;
            }
            std::thread::sleep(Duration::from_millis(2));
        }
        for _ in 0..SYNS {
            // Redirected SYNs never reach the stack: no answer; give up quickly.
            let _ = TcpStream::connect_timeout(
                &SocketAddrV4::new(left, 9002).into(),
                Duration::from_millis(20),
            );
        }
        Ok(())
    });
    let mut sender = Some(sender);
    let mut done_at: Option<Instant> = None;
    let n = capture(&mut xdp, path, snaplen, count, duration, stop, || {
        if sender.as_ref().is_some_and(|h| h.is_finished()) {
            let _ = sender.take().map(|h| h.join());
            done_at = Some(Instant::now());
        }
        // Stop 300 ms after the sender finished: the last packets are long in by then.
        done_at.is_some_and(|t| t.elapsed() > Duration::from_millis(300))
    })?;
    drop(xdp);
    // The file must hold exactly what the filter selects, and parse.
    let file = pcap::read(path)?;
    let mut udp_by_port = [0u64; 2];
    let mut tcp = 0;
    for r in &file.records {
        match parse(&r.data) {
            Parsed::Udp { dport, .. } => {
                if let Some(i) = PORTS.iter().position(|&p| p == dport) {
                    udp_by_port[i] += 1;
                }
            }
            Parsed::OtherIpv4(6) => tcp += 1,
            _ => {}
        }
    }
    println!(
        "{NAME}: {n} packets written to {} (UDP to {}: {}, to {}: {}, TCP: {tcp}); the file parses as pcap {}.{}, link type {}",
        path.display(),
        PORTS[0],
        udp_by_port[0],
        PORTS[1],
        udp_by_port[1],
        file.version.0,
        file.version.1,
        file.linktype
    );
    let want = count.map_or(filter.expected(), |c| c.min(filter.expected()));
    if file.records.len() as u64 != n || (queue.is_none() && n != want) {
        return Err(Error::Failed(format!(
            "captured {n} packets, the filter selects {want} of the test traffic"
        )));
    }
    Ok(())
}

fn capture(
    xdp: &mut XskInterface,
    path: &std::path::Path,
    snaplen: u32,
    count: Option<u64>,
    duration: Duration,
    stop: &Stop,
    mut done: impl FnMut() -> bool,
) -> Result<u64> {
    let mut w = PcapWriter::create(path, snaplen)?;
    let start = Instant::now();
    let mut ticker = Ticker::new(Duration::from_secs(1));
    let mut last = 0;
    let limit = count.unwrap_or(u64::MAX);
    let mut err = None;
    while !stop.is_set() && start.elapsed() < duration && w.records() < limit && !done() {
        let batch = (limit - w.records()).min(64) as u32;
        let n = afxdp::receive(xdp, batch, |_, frame| {
            if err.is_none() {
                if let Err(e) = w.write(frame) {
                    err = Some(e);
                }
            }
        })?;
        if let Some(e) = err.take() {
            return Err(e);
        }
        if let Some((t, dt)) = ticker.due() {
            println!(
                "t={t:4.1}s captured={} pps={}",
                w.records(),
                human((w.records() - last) as f64 / dt)
            );
            last = w.records();
        }
        if n == 0 {
            std::thread::sleep(Duration::from_millis(1));
        }
    }
    w.finish()
}
