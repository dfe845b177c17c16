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

use ebpf_dsl::ProgramSpec;
use xsk_examples::afxdp::{queues_of, AfXdp};
use xsk_examples::cli::Cli;
use xsk_examples::packet::{parse, Parsed};
use xsk_examples::pcap::{self, PcapWriter};
use xsk_examples::programs::{udp_port_program, REDIRECT_ALL, UDP_ONLY};
use xsk_examples::report::{human, Ticker};
use xsk_examples::sandbox::Sandbox;
use xsk_examples::signals::Stop;
use xsk_examples::{require_root, run_main, Error, Result};

const NAME: &str = "xsk-capture";
/// The sandbox's traffic: UDP datagrams to each of these ports, and TCP SYNs.
const PORTS: [u16; 2] = [9000, 9001];
const UDP_PER_PORT: u64 = 25;
const SYNS: u64 = 5;

fn cli() -> Cli {
    Cli::new(NAME, "write the packets an XDP program redirects to AF_XDP sockets into a pcap file")
        .opt("write", Some('w'), "FILE", Some("xsk-capture.pcap"), "the pcap file to write")
        .opt("count", Some('c'), "N", None, "stop after N packets")
        .opt("duration", Some('d'), "SECS", Some("10"), "stop after this many seconds")
        .opt("filter", Some('f'), "FILTER", Some("all"), "what to capture: all, udp, udp-port=N")
        .opt("iface", Some('i'), "NAME", None, "interface (default: a self-made sandbox with test traffic)")
        .opt("queue", Some('q'), "N", None, "only this queue (default: every queue)")
        .opt("snaplen", Some('s'), "BYTES", Some("65535"), "bytes kept of each packet")
        .note("Examples:\n  sudo xsk-capture -w /tmp/sandbox.pcap --filter udp-port=9000 && tcpdump -r /tmp/sandbox.pcap\n  sudo xsk-capture --iface eth0 --filter udp -c 100 -w udp.pcap")
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
    let args = cli().parse_env()?;
    let filter = Filter::parse(args.str("filter").unwrap_or("all"))?;
    let path = PathBuf::from(args.str("write").unwrap_or("xsk-capture.pcap"));
    let count: Option<u64> = args.get("count")?;
    let duration = args.seconds("duration")?.unwrap_or(Duration::from_secs(10));
    let snaplen: u32 = args.req("snaplen")?;
    if !(64..=262_144).contains(&snaplen) {
        return Err(Error::Usage("--snaplen must be 64 to 262144".into()));
    }
    let queue: Option<u32> = args.get("queue")?;
    require_root(NAME)?;
    let stop = Stop::install()?;
    let program = filter.program()?;
    match args.str("iface") {
        Some(iface) => {
            let qs = queues_of(iface, queue);
            let mut xdp = AfXdp::open_iface(iface, &qs, program, 2048)?;
            println!(
                "{NAME}: {} on {iface} ({}), {} queue(s), writing {}",
                xdp.program_name,
                xdp.attach_info(),
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
    let mut xdp = AfXdp::open_sandbox(sb, &qs, program, 1024)?;
    println!(
        "{NAME}: {} on {} ({}), writing {}; sending {} UDP datagrams to ports {PORTS:?} and {SYNS} TCP SYNs",
        xdp.program_name,
        sb.pair.left.name,
        xdp.attach_info(),
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
    xdp: &mut AfXdp,
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
        let n = xdp.receive(batch, |_, frame| {
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
