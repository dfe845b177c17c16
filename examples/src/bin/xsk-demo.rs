//! `xsk-demo`: the AF_XDP guides' whole story in one command.
//!
//! With no arguments it
//! 1. builds a sandbox: two fresh network namespaces joined by a veth pair with 2 queues
//!    (unique names; removed at the end, also on Ctrl-C);
//! 2. attaches the guides' UDP-only XDP program — written with `defprogram!` and checked at
//!    compile time (`xsk_examples::programs::UDP_ONLY`) — to the left end, with an XSKMAP made
//!    by `defmap!`, and opens an AF_XDP socket on every queue;
//! 3. sends, from the right namespace, UDP datagrams with known payloads (sequence number +
//!    a pattern) over several flows, mixed with TCP SYNs;
//! 4. prints a line per second and a summary that proves every UDP datagram arrived intact on
//!    the sockets, exactly once, that nothing else did, and that every TCP SYN went to the
//!    kernel stack (which answered it with a RST, and the program's pass counter saw it);
//! 5. removes the sandbox. Exit status 0 only if the proof holds.
//!
//! With `--multiprog` the sandbox first gets `xdp-filter` (xdp-tools, through libxdp's
//! multi-program dispatcher) on the left end, dropping UDP to PORT+2; our program joins the
//! same dispatcher at priority 20 (after xdp-filter's 10), `xdp-loader status` lists both,
//! the sender adds datagrams to PORT+2, and the proof also says that none of them reached the
//! sockets: xdp-filter ran first. Needs xdp-tools and a kernel that allows freplace programs.
//!
//! With `--iface NAME` it attaches to a real interface instead, generates nothing, and reports
//! what it receives for `--duration` seconds.

use std::collections::BTreeMap;
use std::io::ErrorKind;
use std::net::{Ipv4Addr, SocketAddrV4, TcpStream, UdpSocket};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use clap::Parser;
use xsk_examples::afxdp;
use xsk_examples::args;
use xsk_examples::packet::{check_demo_payload, demo_payload, parse, Parsed};
use xsk_examples::programs::{PASSED, UDP_ONLY};
use xsk_examples::report::{human, Ticker};
use xsk_examples::sandbox::Sandbox;
use xsk_examples::signals::Stop;
use xsk_examples::{iface_rx_queues, require_root, run_main, Context, Error, Result};
use xsk_runtime::attach::AttachMethod;
use xsk_runtime::multiprog::MultiprogOptions;

const NAME: &str = "xsk-demo";
/// UDP flows (source ports) the sender spreads its datagrams over, so that the veth's
/// transmit hash puts them on different queues.
const FLOWS: u8 = 8;

/// AF_XDP end to end: UDP to user space through an XDP program written in Rust
#[derive(Debug, Parser)]
#[command(
    name = NAME,
    after_help = "Examples:\n  sudo xsk-demo                      # the sandbox demo, ~2 s\n  sudo xsk-demo --udp 100000 --rate 0\n  sudo xsk-demo --iface eth0 -d 5    # redirects eth0's UDP to user space for 5 s!"
)]
struct Cli {
    /// run on this interface instead of a self-made sandbox (receive only)
    #[arg(short, long, value_name = "NAME")]
    iface: Option<String>,
    /// with --iface: how long to receive
    #[arg(short, long, value_name = "SECS", default_value = "10", value_parser = args::seconds)]
    duration: Duration,
    /// UDP datagrams to send (sandbox)
    #[arg(short, long, value_name = "N", default_value = "10000")]
    udp: u32,
    /// TCP SYNs to send among them (sandbox)
    #[arg(short, long, value_name = "N", default_value = "200")]
    non_udp: u32,
    /// UDP datagrams per second (0: as fast as the receiver takes them)
    #[arg(short, long, value_name = "PPS", default_value = "5000")]
    rate: u64,
    /// queues of the sandbox's veth pair (one AF_XDP socket each)
    #[arg(short, long, value_name = "N", default_value = "2")]
    queues: u32,
    /// UDP destination port (sandbox)
    #[arg(short, long, value_name = "PORT", default_value = "5555")]
    port: u16,
    /// give up after this many seconds (sandbox)
    #[arg(short = 't', long, value_name = "SECS", default_value = "10", value_parser = args::seconds)]
    max_time: Duration,
    /// run beside xdp-filter (xdp-tools) on the same interface, through libxdp's multi-program
    /// dispatcher: it drops UDP to PORT+2, our program joins at priority 20 (sandbox)
    #[arg(long)]
    multiprog: bool,
}

/// The UDP datagrams to xdp-filter's port (`--multiprog`): one per this many to ours.
const FILTERED_EVERY: u32 = 50;

/// xdp-filter on the sandbox's left end, loaded with xdp-tools inside its namespace, with a
/// private bpffs for libxdp's state (`LIBXDP_BPFFS`, which our library reads too); unloaded and
/// unmounted on drop.
struct XdpFilter {
    ns: String,
    iface: String,
    bpffs: std::path::PathBuf,
}

fn command(program: &str, args: &[&str]) -> Result<String> {
    let out = std::process::Command::new(program)
        .args(args)
        .output()
        .map_err(|e| Error::Failed(format!("{program}: {e} (is xdp-tools installed?)")))?;
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    if !out.status.success() {
        return Err(Error::Failed(format!(
            "{program} {}: {}",
            args.join(" "),
            text.trim()
        )));
    }
    Ok(text)
}

impl XdpFilter {
    fn load(sb: &Sandbox, port: u16) -> Result<XdpFilter> {
        xsk_runtime::multiprog::probe().map_err(|e| {
            Error::Failed(format!(
                "--multiprog: this kernel cannot run several XDP programs on one interface \
                 (libxdp's dispatcher needs freplace programs): {e}"
            ))
        })?;
        let bpffs = std::env::temp_dir().join(format!("xsk-demo-bpffs-{}", std::process::id()));
        std::fs::create_dir_all(&bpffs).context("creating the bpffs mount point")?;
        let dir = bpffs.to_string_lossy().into_owned();
        command("mount", &["-t", "bpf", "bpf", &dir])?;
        std::env::set_var("LIBXDP_BPFFS", &bpffs);
        let f = XdpFilter {
            ns: sb.pair.left.ns.name().to_owned(),
            iface: sb.pair.left.name.clone(),
            bpffs,
        };
        f.tool(&["xdp-filter", "load", &f.iface, "-m", "native"])?;
        f.tool(&["xdp-filter", "port", &port.to_string()])?;
        println!(
            "{NAME}: xdp-filter loaded on {} by xdp-tools, dropping UDP to port {port}",
            f.iface
        );
        Ok(f)
    }

    fn tool(&self, args: &[&str]) -> Result<String> {
        let mut a = vec!["netns", "exec", &self.ns];
        a.extend_from_slice(args);
        command("ip", &a)
    }
}

impl Drop for XdpFilter {
    fn drop(&mut self) {
        let _ = self.tool(&["xdp-filter", "unload", &self.iface]);
        std::env::remove_var("LIBXDP_BPFFS");
        let _ = command("umount", &["-l", &self.bpffs.to_string_lossy()]);
        let _ = std::fs::remove_dir(&self.bpffs);
    }
}

fn main() -> std::process::ExitCode {
    run_main(NAME, run)
}

fn run() -> Result<()> {
    let args: Cli = args::parse()?;
    require_root(NAME)?;
    let stop = Stop::install()?;
    match args.iface.as_deref() {
        Some(iface) => run_iface(iface, args.duration, &stop),
        None => run_sandbox(&args, &stop),
    }
}

/// What the sender did.
#[derive(Debug, Default)]
struct Sent {
    udp: u64,
    filtered: u64,
    syn: u64,
    refused: u64,
    syn_other: Vec<String>,
}

struct Progress {
    received: AtomicU64,
    done: AtomicBool,
}

#[allow(clippy::too_many_arguments)]
fn sender(
    left: Ipv4Addr,
    right: Ipv4Addr,
    port: u16,
    udp: u32,
    syns: u32,
    rate: u64,
    filtered_port: Option<u16>,
    progress: &Progress,
    stop: &Stop,
    deadline: Instant,
) -> std::io::Result<Sent> {
    let socks: Vec<UdpSocket> = (0..FLOWS)
        .map(|_| UdpSocket::bind((right, 0)))
        .collect::<std::io::Result<_>>()?;
    let mut sent = Sent::default();
    let syn_every = udp.checked_div(syns).map_or(u32::MAX, |n| n.max(1));
    let start = Instant::now();
    let dst = SocketAddrV4::new(left, port);
    let closed = SocketAddrV4::new(left, port.wrapping_add(1));
    for seq in 0..udp {
        if stop.is_set() || Instant::now() > deadline {
            break;
        }
        if rate > 0 {
            let due = start + Duration::from_secs_f64(f64::from(seq) / rate as f64);
            let now = Instant::now();
            if due > now {
                std::thread::sleep(due - now);
            }
        }
        // Never more than 128 datagrams in flight: the veth's queues hold 256 per queue, and a
        // datagram dropped for lack of room would not prove anything about AF_XDP. If the
        // receiver makes no progress for 200 ms, go on: the summary will show what is missing.
        let wait_end = Instant::now() + Duration::from_millis(200);
        while sent
            .udp
            .saturating_sub(progress.received.load(Ordering::Acquire))
            >= 128
            && Instant::now() < wait_end
        {
            std::thread::sleep(Duration::from_micros(50));
        }
        let flow = (seq % u32::from(FLOWS)) as u8;
        socks[usize::from(flow)].send_to(&demo_payload(seq, flow), dst)?;
        sent.udp += 1;
        if let Some(fp) = filtered_port {
            if seq % FILTERED_EVERY == 0 {
                socks[usize::from(flow)].send_to(&[0u8; 32], SocketAddrV4::new(left, fp))?;
                sent.filtered += 1;
            }
        }
        if seq % syn_every == syn_every / 2 && sent.syn < u64::from(syns) {
            sent.syn += 1;
            match TcpStream::connect_timeout(&closed.into(), Duration::from_secs(1)) {
                Err(e) if e.kind() == ErrorKind::ConnectionRefused => sent.refused += 1,
                Err(e) => sent.syn_other.push(e.to_string()),
                Ok(_) => sent.syn_other.push("the connection was accepted".into()),
            }
        }
    }
    Ok(sent)
}

/// What the receiver saw.
#[derive(Debug, Default)]
struct Seen {
    per_queue: Vec<u64>,
    intact: u64,
    duplicates: u64,
    corrupt: u64,
    other: BTreeMap<String, u64>,
    got: Vec<bool>,
}

impl Seen {
    fn packet(&mut self, q: usize, frame: &[u8], left: Ipv4Addr, port: u16) {
        if let Some(c) = self.per_queue.get_mut(q) {
            *c += 1;
        }
        match parse(frame) {
            Parsed::Udp {
                dst,
                dport,
                payload,
                ..
            } if dst == left && dport == port => match check_demo_payload(payload) {
                Some((seq, flow)) if u32::from(flow) == seq % u32::from(FLOWS) => {
                    match self.got.get_mut(seq as usize) {
                        Some(g) if *g => self.duplicates += 1,
                        Some(g) => {
                            *g = true;
                            self.intact += 1;
                        }
                        None => self.corrupt += 1,
                    }
                }
                _ => self.corrupt += 1,
            },
            Parsed::Udp { dst, dport, .. } => {
                *self
                    .other
                    .entry(format!("UDP to {dst}:{dport}"))
                    .or_default() += 1
            }
            Parsed::OtherIpv4(p) => {
                *self.other.entry(format!("IPv4 protocol {p}")).or_default() += 1
            }
            Parsed::NotIpv4(t) => {
                *self.other.entry(format!("EtherType {t:#06x}")).or_default() += 1
            }
        }
    }

    fn other_total(&self) -> u64 {
        self.other.values().sum()
    }
}

fn run_sandbox(args: &Cli, stop: &Stop) -> Result<()> {
    let (udp, syns, rate, queues) = (args.udp, args.non_udp, args.rate, args.queues);
    let (port, max_time) = (args.port, args.max_time);
    if !(1..=16).contains(&queues) {
        return Err(Error::Usage("--queues must be 1 to 16".into()));
    }
    if udp == 0 || udp > 10_000_000 || syns > udp || port == u16::MAX {
        return Err(Error::Usage(
            "--udp must be 1 to 10,000,000, --non-udp at most --udp, --port below 65535".into(),
        ));
    }
    if args.multiprog && port > u16::MAX - 2 {
        return Err(Error::Usage("--multiprog needs --port below 65533".into()));
    }
    let sb = Sandbox::new("demo", queues)?;
    let filter = if args.multiprog {
        match XdpFilter::load(&sb, port + 2) {
            Ok(f) => Some(f),
            Err(e) => {
                sb.remove();
                return Err(e);
            }
        }
    } else {
        None
    };
    let result = demo(
        &sb,
        udp,
        syns,
        rate,
        queues,
        port,
        max_time,
        stop,
        filter.as_ref(),
    );
    drop(filter);
    sb.remove();
    result
}

#[allow(clippy::too_many_arguments)]
fn demo(
    sb: &Sandbox,
    udp: u32,
    syns: u32,
    rate: u64,
    queues: u32,
    port: u16,
    max_time: Duration,
    stop: &Stop,
    filter: Option<&XdpFilter>,
) -> Result<()> {
    let (left, right) = (sb.pair.left.ipv4, sb.pair.right.ipv4);
    let qs: Vec<u32> = (0..queues).collect();
    let filtered_port = filter.map(|_| port + 2);
    let mut xdp = match filter {
        Some(_) => afxdp::open_sandbox_with(
            sb,
            &qs,
            UDP_ONLY,
            2048,
            AttachMethod::Multiprog(MultiprogOptions::with_priority(20)),
        )?,
        None => afxdp::open_sandbox(sb, &qs, UDP_ONLY, 2048)?,
    };
    if let Some(f) = filter {
        println!("{NAME}: xdp-loader status:");
        print!("{}", f.tool(&["xdp-loader", "status", &f.iface])?);
    }
    println!(
        "{NAME}: program {} ({} instructions, from defprogram!) attached to {} ({}); {} AF_XDP socket(s) ({})",
        xdp.program().name(),
        UDP_ONLY.insns.len(),
        sb.pair.left.name,
        afxdp::attach_info(&xdp),
        xdp.queues().len(),
        if xdp.queues().iter().all(|q| q.socket.is_zero_copy()) { "zero-copy" } else { "copy mode" }
    );
    println!(
        "{NAME}: sending {udp} UDP datagrams to {left}:{port} over {FLOWS} flows and {syns} TCP SYNs to {left}:{} from {right}{}",
        port + 1,
        if rate > 0 { format!(", {rate} datagrams/s") } else { String::new() }
    );
    let progress = Arc::new(Progress {
        received: AtomicU64::new(0),
        done: AtomicBool::new(false),
    });
    let deadline = Instant::now() + max_time;
    let handle = {
        let (progress, stop) = (Arc::clone(&progress), stop.clone());
        sb.pair.right.ns.spawn(move || {
            let r = sender(
                left,
                right,
                port,
                udp,
                syns,
                rate,
                filtered_port,
                &progress,
                &stop,
                deadline,
            );
            progress.done.store(true, Ordering::Release);
            r
        })
    };
    let mut seen = Seen {
        per_queue: vec![0; qs.len()],
        got: vec![false; udp as usize],
        ..Default::default()
    };
    let mut ticker = Ticker::new(Duration::from_secs(1));
    let mut last_total = 0u64;
    let mut drained_since: Option<Instant> = None;
    loop {
        let n = afxdp::receive(&mut xdp, 64, |q, frame| seen.packet(q, frame, left, port))?;
        let total: u64 = seen.per_queue.iter().sum();
        progress.received.store(total, Ordering::Release);
        if let Some((t, dt)) = ticker.due() {
            let passed = afxdp::counter(&xdp, PASSED.name_str()).unwrap_or(0);
            let qtxt: Vec<String> = seen
                .per_queue
                .iter()
                .enumerate()
                .map(|(i, c)| format!("q{i} {c}"))
                .collect();
            println!(
                "t={t:4.1}s  to user space: {total} ({})  passed to the stack: {passed}  pps: {}",
                qtxt.join(", "),
                human((total - last_total) as f64 / dt)
            );
            last_total = total;
        }
        if stop.is_set() || Instant::now() > deadline + Duration::from_secs(1) {
            break;
        }
        if progress.done.load(Ordering::Acquire) {
            // The sender is done: whatever is still in flight arrives within milliseconds.
            let since = *drained_since.get_or_insert_with(Instant::now);
            if seen.intact >= u64::from(udp) || since.elapsed() > Duration::from_millis(500) {
                break;
            }
        }
        if n == 0 {
            std::thread::sleep(Duration::from_micros(200));
        }
    }
    let sent = match handle.join() {
        Ok(Ok(s)) => s,
        Ok(Err(e)) => return Err(e).context("sending from the right namespace"),
        Err(e) => return Err(e).context("starting the sender in the right namespace"),
    };
    let passed = afxdp::counter(&xdp, PASSED.name_str())?;
    let mut dropped = 0;
    for q in xdp.queues() {
        if let Ok(s) = q.socket.statistics() {
            dropped += s.rx_dropped + s.rx_ring_full;
        }
    }
    drop(xdp); // detach the program, close the sockets

    let total: u64 = seen.per_queue.iter().sum();
    let missing = sent.udp - seen.intact.min(sent.udp);
    println!("--- summary ---");
    println!("UDP datagrams sent:             {}", sent.udp);
    println!(
        "  arrived intact on AF_XDP:     {} ({})",
        seen.intact,
        seen.per_queue
            .iter()
            .enumerate()
            .map(|(i, c)| format!("queue {i}: {c}"))
            .collect::<Vec<_>>()
            .join(", ")
    );
    println!("  missing:                      {missing}");
    println!("  duplicated:                   {}", seen.duplicates);
    println!("  altered (payload mismatch):   {}", seen.corrupt);
    println!(
        "other packets on the sockets:   {}{}",
        seen.other_total(),
        if seen.other.is_empty() {
            String::new()
        } else {
            format!(" {:?}", seen.other)
        }
    );
    println!("TCP SYNs sent:                  {}", sent.syn);
    println!(
        "  answered by the kernel stack: {} (connection refused = RST)",
        sent.refused
    );
    println!("  passed by the XDP program:    {passed} (its PASSED counter)");
    println!("kernel drops on the sockets:    {dropped}");
    if let Some(fp) = filtered_port {
        let reached = seen
            .other
            .get(&format!("UDP to {left}:{fp}"))
            .copied()
            .unwrap_or(0);
        println!(
            "UDP to xdp-filter's port {fp}:    {} sent, {reached} reached the sockets (xdp-filter, \
             priority 10, runs before our program at 20)",
            sent.filtered
        );
    }
    for e in &sent.syn_other {
        println!("  SYN without RST: {e}");
    }
    let udp_ok = sent.udp == u64::from(udp)
        && seen.intact == sent.udp
        && seen.duplicates == 0
        && seen.corrupt == 0
        && total == sent.udp;
    let other_ok = seen.other.is_empty() && sent.refused == sent.syn && passed >= sent.syn;
    let filter_ok = filtered_port.is_none() || sent.filtered > 0;
    if udp_ok && other_ok && filter_ok && !stop.is_set() {
        println!(
            "PROOF OK: all {} UDP datagrams arrived intact on the AF_XDP sockets, each exactly once, \
             no other packet reached them, and all {} TCP SYNs went to the kernel stack{}",
            sent.udp,
            sent.syn,
            if filtered_port.is_some() {
                format!(
                    "; xdp-filter ran first on the same interface and dropped all {} datagrams \
                     to its port",
                    sent.filtered
                )
            } else {
                String::new()
            }
        );
        Ok(())
    } else {
        println!("PROOF FAILED");
        Err(Error::Failed(if stop.is_set() {
            "interrupted before the proof was complete".into()
        } else {
            format!(
                "the proof does not hold: {missing} UDP missing of {}, {} duplicated, {} altered, \
                 {} other packets on the sockets, {} of {} SYNs answered by the stack",
                sent.udp,
                seen.duplicates,
                seen.corrupt,
                seen.other_total(),
                sent.refused,
                sent.syn
            )
        }))
    }
}

fn run_iface(iface: &str, duration: Duration, stop: &Stop) -> Result<()> {
    let n = iface_rx_queues(iface);
    let qs: Vec<u32> = (0..n).collect();
    eprintln!(
        "{NAME}: note: while this runs, the IPv4 UDP traffic arriving on {iface} goes to this \
         program instead of the kernel stack"
    );
    let mut xdp = afxdp::open_iface(iface, &qs, UDP_ONLY, 2048)?;
    println!(
        "{NAME}: program {} attached to {iface} ({}); {n} AF_XDP socket(s); receiving for {:.1} s",
        xdp.program().name(),
        afxdp::attach_info(&xdp),
        duration.as_secs_f64()
    );
    let mut per_queue = vec![0u64; qs.len()];
    let mut flows: BTreeMap<String, u64> = BTreeMap::new();
    let mut ticker = Ticker::new(Duration::from_secs(1));
    let start = Instant::now();
    let mut last = 0;
    while !stop.is_set() && start.elapsed() < duration {
        let k = afxdp::receive(&mut xdp, 64, |q, frame| {
            per_queue[q] += 1;
            if let Parsed::Udp {
                src, dst, dport, ..
            } = parse(frame)
            {
                if flows.len() < 1000 {
                    *flows.entry(format!("{src} -> {dst}:{dport}")).or_default() += 1;
                }
            }
        })?;
        if let Some((t, dt)) = ticker.due() {
            let total: u64 = per_queue.iter().sum();
            let passed = afxdp::counter(&xdp, PASSED.name_str()).unwrap_or(0);
            println!(
                "t={t:4.1}s  to user space: {total}  passed to the stack: {passed}  pps: {}",
                human((total - last) as f64 / dt)
            );
            last = total;
        }
        if k == 0 {
            std::thread::sleep(Duration::from_millis(1));
        }
    }
    let passed = afxdp::counter(&xdp, PASSED.name_str())?;
    drop(xdp);
    let total: u64 = per_queue.iter().sum();
    println!("--- summary ---");
    println!("UDP packets to user space: {total} (per queue: {per_queue:?})");
    println!("other packets passed to the stack: {passed}");
    let mut top: Vec<_> = flows.into_iter().collect();
    top.sort_by_key(|f| std::cmp::Reverse(f.1));
    for (f, c) in top.iter().take(10) {
        println!("  {c:8}  {f}");
    }
    Ok(())
}
