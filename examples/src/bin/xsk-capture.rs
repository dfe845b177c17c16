//! `xsk-capture`: writes what an XDP program redirects to AF_XDP sockets into a pcapng file
//! (or a classic pcap file: `--format pcap`, or a `-w` name ending in `.pcap`) that tcpdump and
//! tshark read, `LINKTYPE_ETHERNET`. The filter is the program: `--filter all` is the guides'
//! redirect-everything program, `udp` the guides' UDP-only program (both `defprogram!`),
//! `udp-port=N` a program built at run time with the builder API and the XDP parsing snippets.
//! Redirected packets are consumed: they do not reach the kernel stack while the capture runs.
//!
//! # Timestamps
//!
//! By default the filter runs behind the RX metadata snippet
//! (`ebpf_dsl::xdp::metadata::write_rx_metadata`) in a device-bound program (native mode):
//! the kernel's `bpf_xdp_metadata_rx_timestamp` / `rx_hash` results travel in front of each
//! packet. A packet gets the driver's hardware RX timestamp when the kfunc gave a non-zero
//! one, else a software timestamp (`CLOCK_REALTIME` when user space took it off the RX ring).
//! pcapng records say which, per packet, in a comment (`ts=hw` / `ts=sw (...)`, with the RX
//! hash), in nanoseconds (`if_tsresol` = 9). veth gives the skb's hardware timestamp, which
//! nothing sets between namespaces: the kfunc returns 0 with a timestamp of 0, so on veth every
//! packet is stamped in software, and the comment says `hw timestamp 0`. Where the device-bound
//! program cannot be loaded or attached (no native XDP, an old kernel, a kernel that withholds
//! `bpf_xdp_adjust_meta` from XDP programs), or with `--no-rx-meta`, the plain filter runs and
//! every timestamp is software: the capture falls back and says so (`the RX metadata program
//! is not used (...)`, `RX metadata program: no (...)`, and the pcapng file's comment says
//! why). Whether the kernel withholds the helper is asked first (the probe of
//! `xsk_runtime::features::unavailable_helpers`, `check_rx_metadata_support`), so the reason is
//! the helper's name rather than a verifier log. Classic pcap records carry
//! microseconds and no comment. The RX hash is a flow hash (Toeplitz on most NICs, the
//! kernel's jhash on veth), not a hash of the packet bytes, so it goes into the comment, not
//! into `epb_hash`.
//!
//! Without `--iface` it makes a sandbox, sends known traffic from the far end (UDP to two
//! ports and TCP SYNs), and checks that the file holds exactly what the filter selects.

use std::net::{SocketAddrV4, TcpStream, UdpSocket};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use clap::Parser;
use ebpf_dsl::dsl::{self, label};
use ebpf_dsl::insn::JmpOp;
use ebpf_dsl::xdp::metadata::{write_rx_metadata, XdpRxMeta};
use ebpf_dsl::xdp::{self, XdpAction};
use ebpf_dsl::{ProgramSpec, Reg};
use xsk_examples::afxdp::{self, queues_of};
use xsk_examples::args;
use xsk_examples::packet::{parse, Parsed};
use xsk_examples::pcap::{self, PcapWriter};
use xsk_examples::pcapng::{self, PcapngWriter};
use xsk_examples::programs::{udp_port_program, PASSED, REDIRECT_ALL, UDP_ONLY, XSKS};
use xsk_examples::report::{human, Ticker};
use xsk_examples::sandbox::Sandbox;
use xsk_examples::signals::Stop;
use xsk_examples::{require_root, run_main, Context, Error, Result};
use xsk_runtime::attach::{AttachOptions, XdpMode};
use xsk_runtime::program::LoadOptions;
use xsk_runtime::umem::UmemConfig;
use xsk_runtime::xsk::metadata::check_rx_metadata_support;
use xsk_runtime::xsk::{Queues, RedirectProgram, XskInterfaceConfig};
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
    after_help = "Examples:\n  sudo xsk-capture -w /tmp/sandbox.pcapng --filter udp-port=9000 && tshark -r /tmp/sandbox.pcapng -T fields -e frame.time_epoch -e frame.comment\n  sudo xsk-capture --iface eth0 --filter udp -c 100 -w udp.pcap"
)]
struct Cli {
    /// the file to write (pcapng, or classic pcap if the name ends in .pcap)
    #[arg(short, long, value_name = "FILE", default_value = "xsk-capture.pcapng")]
    write: PathBuf,
    /// file format: pcapng or pcap (default: pcap for a name ending in .pcap, else pcapng)
    #[arg(long, value_name = "FORMAT")]
    format: Option<String>,
    /// run the plain filter, without the RX metadata program (software timestamps only)
    #[arg(long)]
    no_rx_meta: bool,
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

    /// The filter behind the RX metadata snippet: a device-bound program that writes the
    /// kernel's RX timestamp and hash in front of each packet, then selects like
    /// [`Filter::program`] (without the `PASSED` counter).
    fn meta_program(self) -> Result<ProgramSpec> {
        let mut p = dsl::Program::xdp("xsk_capture_md");
        // The metadata kfuncs are for GPL-compatible programs only.
        p.license("GPL");
        p.map(XSKS).map(PASSED);
        p.extend(write_rx_metadata("meta_done"));
        p.push(dsl::mov_reg(Reg::R1, Reg::R6)); // the snippet leaves the context in r6
        if self != Filter::All {
            p.extend(xdp::load_data_pointers(Reg::R1, Reg::R2, Reg::R3));
            p.extend(xdp::parse_eth(Reg::R2, Reg::R3, Reg::R4, "pass"));
            p.push(dsl::jmp_imm(JmpOp::Jne, Reg::R4, 0x0800, "pass"));
            p.push(dsl::mov_reg(Reg::R5, Reg::R2));
            p.push(dsl::add(Reg::R5, xdp::ETH_HLEN));
            p.extend(xdp::parse_ipv4(
                Reg::R5,
                Reg::R3,
                Reg::R4,
                "pass",
                Some(Reg::R6),
            ));
            p.push(dsl::jmp_imm(JmpOp::Jne, Reg::R4, 17, "pass"));
            if let Filter::UdpPort(port) = self {
                p.extend(xdp::parse_udp(Reg::R6, Reg::R3, Reg::R4, "pass"));
                p.push(dsl::jmp_imm(JmpOp::Jne, Reg::R4, i32::from(port), "pass"));
            }
        }
        p.extend(xdp::redirect_to_xsk_by_queue(
            Reg::R1,
            XSKS.name_str(),
            Reg::R2,
            XdpAction::Pass.value(),
        ));
        if self != Filter::All {
            p.push(label("pass"));
            p.extend(xdp::return_action(XdpAction::Pass));
        }
        p.build_verified()
            .map_err(|e| Error::Failed(format!("the RX metadata program is rejected: {e}")))
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

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Format {
    Pcap,
    Pcapng,
}

impl Format {
    fn parse(arg: Option<&str>, path: &Path) -> Result<Format> {
        match arg {
            Some("pcap") => Ok(Format::Pcap),
            Some("pcapng") => Ok(Format::Pcapng),
            Some(f) => Err(Error::Usage(format!(
                "--format `{f}`: expected pcap or pcapng"
            ))),
            None if path.extension().is_some_and(|e| e == "pcap") => Ok(Format::Pcap),
            None => Ok(Format::Pcapng),
        }
    }
}

/// What and how to write.
struct Output<'a> {
    path: &'a Path,
    format: Format,
    snaplen: u32,
    count: Option<u64>,
    duration: Duration,
    /// Try the RX metadata program first.
    rx_meta: bool,
}

fn run() -> Result<()> {
    let args: Cli = args::parse()?;
    let filter = Filter::parse(&args.filter)?;
    let path = args.write;
    let out = Output {
        path: &path,
        format: Format::parse(args.format.as_deref(), &path)?,
        snaplen: args.snaplen,
        count: args.count,
        duration: args.duration,
        rx_meta: !args.no_rx_meta,
    };
    if !(64..=262_144).contains(&out.snaplen) {
        return Err(Error::Usage("--snaplen must be 64 to 262144".into()));
    }
    let queue = args.queue;
    require_root(NAME)?;
    let stop = Stop::install()?;
    match args.iface.as_deref() {
        Some(iface) => {
            let qs = queues_of(iface, queue);
            let ifindex =
                xsk_runtime::os::if_nametoindex(iface).context(format!("interface {iface}"))?;
            let (mut xdp, meta) = open_capture(filter, iface, ifindex, &qs, &out, 2048, || {
                afxdp::open_iface(iface, &qs, filter.program()?, 2048)
            })?;
            println!(
                "{NAME}: {} on {iface} ({}), {} queue(s), writing {}",
                xdp.program().name(),
                afxdp::attach_info(&xdp),
                qs.len(),
                path.display()
            );
            let n = capture(&mut xdp, &out, iface, &meta, &stop, || false)?;
            println!(
                "{NAME}: {} packets written to {}",
                n.packets,
                path.display()
            );
            Ok(())
        }
        None => {
            if queue.is_some_and(|q| q > 1) {
                return Err(Error::Usage("the sandbox has queues 0 and 1".into()));
            }
            let sb = Sandbox::new("capture", 2)?;
            let r = sandbox_run(&sb, filter, queue, &out, &stop);
            sb.remove();
            r
        }
    }
}

/// Whether the RX metadata program runs.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Meta {
    /// It runs: timestamps and hashes come in front of each packet.
    Used,
    /// `--no-rx-meta`.
    NotAsked,
    /// Asked for, but it could not run here: why, in a few words (the plain filter runs).
    Fallback(String),
}

impl Meta {
    fn used(&self) -> bool {
        *self == Meta::Used
    }
}

/// Opens the sockets with the RX metadata program (device-bound, native mode) if asked and
/// possible, else with `plain()`; returns whether the metadata program runs.
#[allow(clippy::too_many_arguments)]
fn open_capture(
    filter: Filter,
    ifname: &str,
    ifindex: u32,
    queues: &[u32],
    out: &Output<'_>,
    frames_per_queue: u32,
    mut plain: impl FnMut() -> Result<XskInterface>,
) -> Result<(XskInterface, Meta)> {
    if out.rx_meta {
        // A kernel that withholds bpf_xdp_adjust_meta from XDP programs refuses the metadata
        // program: asked first, the reason names the helper.
        let opened = check_rx_metadata_support("xsk-capture's RX metadata program")
            .context("XDP RX metadata")
            .and_then(|()| filter.meta_program())
            .and_then(|program| {
                let config = XskInterfaceConfig {
                    queues: Queues::List(queues.to_vec()),
                    program: RedirectProgram::Custom(program),
                    // The metadata kfuncs need a program bound to the device it runs on, and a
                    // device-bound program only attaches in native mode.
                    load: LoadOptions::device_bound(ifindex),
                    attach: AttachOptions {
                        mode: XdpMode::Driver,
                        ..Default::default()
                    },
                    umem: UmemConfig {
                        frame_count: frames_per_queue * queues.len() as u32,
                        ..Default::default()
                    },
                    ..Default::default()
                };
                XskInterface::open(ifname, &config).context(format!(
                    "setting up AF_XDP on {ifname} with the device-bound RX metadata program"
                ))
            });
        match opened {
            Ok(x) => return Ok((x, Meta::Used)),
            Err(e) => {
                let why = match &e {
                    Error::Runtime { source, .. } if source.withheld_helper().is_some() => {
                        let id = source.withheld_helper().unwrap_or_default();
                        format!(
                            "the running kernel withholds {} (helper #{id}) from XDP programs",
                            ebpf_dsl::helpers::helper_by_id(id).map_or("a helper", |h| h.name)
                        )
                    }
                    _ => "the device-bound RX metadata program could not be set up".to_owned(),
                };
                println!(
                    "{NAME}: the RX metadata program is not used ({e}); falling back to the \
                     plain filter: every timestamp is software"
                );
                // The failed attempt's sockets may hold their queues a moment longer (the
                // kernel lets go asynchronously): retry for up to 2 s.
                let deadline = Instant::now() + Duration::from_secs(2);
                loop {
                    match plain() {
                        Ok(x) => return Ok((x, Meta::Fallback(why))),
                        Err(e) if Instant::now() > deadline => return Err(e),
                        Err(_) => std::thread::sleep(Duration::from_millis(50)),
                    }
                }
            }
        }
    }
    Ok((plain()?, Meta::NotAsked))
}

fn sandbox_run(
    sb: &Sandbox,
    filter: Filter,
    queue: Option<u32>,
    out: &Output<'_>,
    stop: &Stop,
) -> Result<()> {
    let qs = match queue {
        Some(q) => vec![q],
        None => vec![0, 1],
    };
    sb.enter_left()?;
    let (mut xdp, meta) = open_capture(
        filter,
        &sb.pair.left.name,
        sb.pair.left.ifindex,
        &qs,
        out,
        1024,
        || afxdp::open_sandbox(sb, &qs, filter.program()?, 1024),
    )?;
    let path = out.path;
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
    let iface = sb.pair.left.name.clone();
    let n = capture(&mut xdp, out, &iface, &meta, stop, || {
        if sender.as_ref().is_some_and(|h| h.is_finished()) {
            let _ = sender.take().map(|h| h.join());
            done_at = Some(Instant::now());
        }
        // Stop 300 ms after the sender finished: the last packets are long in by then.
        done_at.is_some_and(|t| t.elapsed() > Duration::from_millis(300))
    })?;
    drop(xdp);
    // The file must hold exactly what the filter selects, and parse.
    let (packets, kind): (Vec<Vec<u8>>, String) = match out.format {
        Format::Pcap => {
            let file = pcap::read(path)?;
            let kind = format!(
                "pcap {}.{}, link type {}",
                file.version.0, file.version.1, file.linktype
            );
            (file.records.into_iter().map(|r| r.data).collect(), kind)
        }
        Format::Pcapng => {
            let file = pcapng::read(path)?;
            let kind = format!(
                "pcapng {}.{}, if_tsresol {}, {} packet comments",
                file.version.0,
                file.version.1,
                file.interfaces.first().map_or(0, |i| i.tsresol),
                file.records
                    .iter()
                    .filter(|r| !r.comments.is_empty())
                    .count()
            );
            (file.records.into_iter().map(|r| r.data).collect(), kind)
        }
    };
    let mut udp_by_port = [0u64; 2];
    let mut tcp = 0;
    for data in &packets {
        match parse(data) {
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
        "{NAME}: {} packets written to {} (UDP to {}: {}, to {}: {}, TCP: {tcp}); the file parses as {kind}",
        n.packets,
        path.display(),
        PORTS[0],
        udp_by_port[0],
        PORTS[1],
        udp_by_port[1],
    );
    let want = out
        .count
        .map_or(filter.expected(), |c| c.min(filter.expected()));
    if packets.len() as u64 != n.packets || (queue.is_none() && n.packets != want) {
        return Err(Error::Failed(format!(
            "captured {} packets, the filter selects {want} of the test traffic",
            n.packets
        )));
    }
    Ok(())
}

/// The file being written.
enum Writer {
    Pcap(PcapWriter),
    Pcapng(PcapngWriter),
}

impl Writer {
    fn records(&self) -> u64 {
        match self {
            Writer::Pcap(w) => w.records(),
            Writer::Pcapng(w) => w.records(),
        }
    }
}

/// What [`capture`] wrote.
struct Captured {
    packets: u64,
}

/// Nanoseconds since the epoch, now (`CLOCK_REALTIME`).
fn now_ns() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos() as u64)
}

/// A packet's timestamp (ns) and its pcapng comment: the hardware timestamp from the RX
/// metadata when the kernel gave a non-zero one, else the software time `sw`.
fn stamp(meta: Option<XdpRxMeta>, sw: u64) -> (u64, bool, String) {
    let Some(m) = meta else {
        return (sw, false, "ts=sw (no RX metadata program)".into());
    };
    let hash = match m.rx_hash() {
        Some((h, t)) => format!("rx_hash={h:#010x} rx_hash_type={t:#x}"),
        None => format!("rx_hash error {}", m.hash_err),
    };
    match m.rx_timestamp() {
        Some(t) if t != 0 => (t, true, format!("ts=hw {hash}")),
        Some(_) => (sw, false, format!("ts=sw (hw timestamp 0) {hash}")),
        None => (
            sw,
            false,
            format!("ts=sw (hw timestamp error {}) {hash}", m.timestamp_err),
        ),
    }
}

fn capture(
    xdp: &mut XskInterface,
    out: &Output<'_>,
    iface: &str,
    meta: &Meta,
    stop: &Stop,
    mut done: impl FnMut() -> bool,
) -> Result<Captured> {
    let mut w = match out.format {
        Format::Pcap => Writer::Pcap(PcapWriter::create(out.path, out.snaplen)?),
        Format::Pcapng => Writer::Pcapng(PcapngWriter::create(
            out.path,
            out.snaplen,
            iface,
            "xsk-capture (ebpf-dsl, xsk-runtime)",
            Some(&match meta {
                Meta::Used => "timestamps: the driver's hardware RX timestamp (XDP RX metadata) \
                               where it gave a non-zero one, else software (CLOCK_REALTIME when \
                               taken off the AF_XDP RX ring); each packet's comment says which"
                    .to_owned(),
                Meta::NotAsked => "timestamps: software (CLOCK_REALTIME when taken off the \
                                   AF_XDP RX ring); no RX metadata program"
                    .to_owned(),
                Meta::Fallback(why) => format!(
                    "timestamps: software (CLOCK_REALTIME when taken off the AF_XDP RX ring); \
                     no RX metadata program: {why}"
                ),
            }),
        )?),
    };
    let start = Instant::now();
    let mut ticker = Ticker::new(Duration::from_secs(1));
    let mut last = 0;
    let limit = out.count.unwrap_or(u64::MAX);
    let (mut hw, mut sw) = (0u64, 0u64);
    let mut err = None;
    let umem = xdp.umem().clone();
    while !stop.is_set() && start.elapsed() < out.duration && w.records() < limit && !done() {
        let batch = (limit - w.records()).min(64) as u32;
        let mut n = 0;
        for q in xdp.queues_mut() {
            let rings = q.socket.rings();
            let (Some(fill), Some(rx)) = (rings.fill, rings.rx) else {
                continue;
            };
            let mut got = 0;
            {
                let mut b = rx.recv(batch);
                for pkt in b.by_ref() {
                    got += 1;
                    if err.is_none() {
                        let m = if meta.used() {
                            umem.rx_metadata(&pkt)
                        } else {
                            None
                        };
                        let (ts, is_hw, comment) = stamp(m, now_ns());
                        if is_hw {
                            hw += 1;
                        } else {
                            sw += 1;
                        }
                        let r = match &mut w {
                            Writer::Pcap(w) => w.write(umem.packet(&pkt)),
                            Writer::Pcapng(w) => w.write(umem.packet(&pkt), ts, Some(&comment)),
                        };
                        if let Err(e) = r {
                            err = Some(e);
                        }
                    }
                    let _ = q.free.push(pkt.into_frame());
                }
                b.release();
            }
            fill.fill_from(&mut q.free, got.max(batch));
            fill.wake_if_needed().context("recvfrom(AF_XDP) wake-up")?;
            n += got;
        }
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
    let packets = match w {
        Writer::Pcap(w) => w.finish()?,
        Writer::Pcapng(w) => w.finish()?,
    };
    let what = match out.format {
        Format::Pcap => "pcap keeps the software receive time, in microseconds",
        Format::Pcapng => "in ns, each noted in the packet's comment",
    };
    println!(
        "{NAME}: timestamps: {hw} hardware, {sw} software ({what}); RX metadata program: {}",
        match meta {
            Meta::Used => "yes".to_owned(),
            Meta::NotAsked => "no".to_owned(),
            Meta::Fallback(why) => format!("no (fallback: {why})"),
        }
    );
    Ok(Captured { packets })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn meta(timestamp: u64, timestamp_err: i32, hash_err: i32) -> XdpRxMeta {
        XdpRxMeta {
            timestamp,
            hash: 0xabcd_0123,
            hash_type: 8,
            timestamp_err,
            hash_err,
        }
    }

    #[test]
    fn hardware_timestamp_only_when_the_kernel_gave_a_non_zero_one() {
        let (ts, hw, c) = stamp(Some(meta(1_700_000_000_000_000_001, 0, 0)), 5);
        assert_eq!((ts, hw), (1_700_000_000_000_000_001, true));
        assert_eq!(c, "ts=hw rx_hash=0xabcd0123 rx_hash_type=0x8");
        // veth: the kfunc succeeds with 0.
        let (ts, hw, c) = stamp(Some(meta(0, 0, 0)), 5);
        assert_eq!((ts, hw), (5, false));
        assert!(
            c.starts_with("ts=sw (hw timestamp 0) rx_hash=0xabcd0123"),
            "{c}"
        );
        // A driver without the kfunc, and no hash either.
        let (ts, hw, c) = stamp(Some(meta(123, -95, -95)), 5);
        assert_eq!((ts, hw), (5, false));
        assert_eq!(c, "ts=sw (hw timestamp error -95) rx_hash error -95");
        let (ts, hw, c) = stamp(None, 7);
        assert_eq!(
            (ts, hw, c.as_str()),
            (7, false, "ts=sw (no RX metadata program)")
        );
    }

    #[test]
    fn format_follows_the_name_unless_given() {
        let p = |s: &str| Path::new(s).to_path_buf();
        assert_eq!(Format::parse(None, &p("a.pcap")).unwrap(), Format::Pcap);
        assert_eq!(Format::parse(None, &p("a.pcapng")).unwrap(), Format::Pcapng);
        assert_eq!(Format::parse(None, &p("a")).unwrap(), Format::Pcapng);
        assert_eq!(
            Format::parse(Some("pcapng"), &p("a.pcap")).unwrap(),
            Format::Pcapng
        );
        assert!(Format::parse(Some("erf"), &p("a")).is_err());
    }
}
