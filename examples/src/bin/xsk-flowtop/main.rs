//! `xsk-flowtop`: a live table of the flows an XDP program sees, with one UDP port taken to
//! user space over AF_XDP.
//!
//! The XDP program ([`FLOWTOP`], `defprogram!`) keys every IPv4 packet by its 5-tuple and counts
//! packets and bytes in a per-CPU hash ([`FLOWS`]); the first packet of every new flow, and
//! one packet in N (`--sample N`, a per-CPU counter in the program: exactly every N-th packet
//! each CPU sees), go into a ring buffer ([`EVENTS`]); UDP to one port (`--port`, 7777) goes
//! to the AF_XDP socket of its receive queue, everything else to the kernel stack; what is not
//! IPv4 is counted apart. The port and N are in the program's [`CONFIG`] map.
//! User space reads the maps by their `defmap!` items (typed handles, no strings), consumes
//! the ring buffer, and runs one pinned worker thread per queue (`xsk_runtime::xsk::Workers`)
//! that receives the AF_XDP packets. Once a second it prints the top flows.
//!
//! With no arguments it builds a sandbox (two namespaces joined by a 2-queue veth pair),
//! sends a known mix from the far end — UDP flows to port 7777 and to port 7778, each with its
//! own packet count and size — and proves every number against what it sent: the flows in the
//! map (packets and bytes each), one new-flow event per flow, exactly
//! `sum over CPUs of floor(packets the CPU saw / N)` sampled packet events, each naming a flow
//! that was sent with its packets' length, the AF_XDP deliveries per flow, no kernel drops and
//! no ring buffer record lost. Exit status 0 only then.
//!
//! With `--iface NAME` it runs on a real interface for `--duration` seconds (UDP to `--port` of
//! that interface goes to this program, not to the stack, while it runs).

use std::collections::{BTreeMap, HashMap as StdHashMap};
use std::io::IsTerminal;
use std::net::{Ipv4Addr, SocketAddrV4, UdpSocket};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use clap::Parser;
use ebpf_dsl_macros::{defmap, defprogram};
use xsk_examples::args;
use xsk_examples::packet::{parse, Parsed};
use xsk_examples::report::{human, Ticker};
use xsk_examples::sandbox::Sandbox;
use xsk_examples::signals::Stop;
use xsk_examples::{afxdp, iface_rx_queues, require_root, run_main, Context, Error, Result};
use xsk_runtime::percpu::PerCpuHashMap;
use xsk_runtime::xsk::{QueueStats, Workers, WorkersConfig};
use xsk_runtime::XskInterface;

mod proof;

use proof::{prove, Counts};

const NAME: &str = "xsk-flowtop";
/// The default UDP port the program sends to AF_XDP (`--port`).
const PORT: u16 = 7777;
/// What the program compares with the destination port it loads: the port's network-order
/// bytes read as a little-endian u16 (see the unit test), in [`CONFIG`] slot 0.
fn port_word(port: u16) -> u64 {
    u64::from(u16::from_le_bytes(port.to_be_bytes()))
}
/// Event kinds (the record's last 4 bytes).
const KIND_NEW_FLOW: u32 = 0;
/// A 1-in-N sampled packet.
const KIND_SAMPLE: u32 = 1;
/// Ethernet + IPv4 (no options) + UDP headers.
const HEADERS: u64 = 14 + 20 + 8;

/// A flow key as the program writes it: source and destination IPv4 address, the two ports
/// (network byte order, as in the packet), the IP protocol.
type FlowKey = [u32; 4];
/// Packets and bytes of a flow (one per CPU in the map).
type FlowValue = [u64; 2];

defmap! {
    /// AF_XDP sockets by receive queue (`XskInterface` makes it; the name must be `xsks`).
    pub XSKS: xskmap(key = u32, value = u32, max_entries = 64);
    /// Packets and bytes per flow (5-tuple), per CPU.
    pub FLOWS: percpu_hash(key = [u32; 4], value = [u64; 2], max_entries = 4096, name = "flowtop_flows");
    /// The first packet of every new flow and the sampled packets: the flow's key (16 bytes),
    /// the packet's length (4 bytes), the kind (4 bytes: 0 new flow, 1 sample).
    pub EVENTS: ringbuf(max_entries = 262144, name = "flowtop_events");
    /// Per CPU, by index: 0 frames that are not IPv4 without options, 1 packets of flows the
    /// full map had no room for, 2 packets counted in FLOWS (the sampling counter), 3 events
    /// the full ring buffer refused.
    pub OTHER: percpu_array(key = u32, value = u64, max_entries = 4, name = "flowtop_other");
    /// Set by user space, by index: 0 the AF_XDP port as the program compares it
    /// ([`port_word`]; 0: none), 1 N of the 1-in-N packet sampling (0: no sampled packets).
    pub CONFIG: array(key = u32, value = u64, max_entries = 2, name = "flowtop_config");
}

defprogram! {
    /// Flows per CPU, new-flow and sampled-packet events, UDP to the configured port to AF_XDP.
    pub FLOWTOP: xdp(name = "xsk_flowtop") {
        r6 = r1;
        r2 = *(u32 *)(r6 + 0);            // data
        r3 = *(u32 *)(r6 + 4);            // data_end
        r4 = r2;
        r4 += 34;
        if r4 > r3 goto not_ip;           // shorter than Ethernet + IPv4
        r4 = *(u16 *)(r2 + 12);
        if r4 != 8 goto not_ip;           // EtherType 0x0800, read little-endian
        r4 = *(u8 *)(r2 + 14);
        if r4 != 0x45 goto not_ip;        // IPv4 without options
        r8 = *(u16 *)(r2 + 16);           // total length
        r8 = be16 r8;
        r8 += 14;                         // + Ethernet: the frame's length
        r7 = *(u8 *)(r2 + 23);            // protocol
        r4 = *(u32 *)(r2 + 26);
        *(u32 *)(r10 - 16) = r4;          // key[0] = saddr
        r4 = *(u32 *)(r2 + 30);
        *(u32 *)(r10 - 12) = r4;          // key[1] = daddr
        *(u32 *)(r10 - 4) = r7;           // key[3] = protocol
        r9 = 0;
        if r7 == 17 goto ports;
        if r7 == 6 goto ports;
        goto key_done;
    ports:
        r4 = r2;
        r4 += 38;
        if r4 > r3 goto key_done;
        r9 = *(u32 *)(r2 + 34);           // source and destination port
    key_done:
        *(u32 *)(r10 - 8) = r9;           // key[2] = ports
        r2 = r10;
        r2 += -16;
        r1 = FLOWS ll;
        call bpf_map_lookup_elem;
        if r0 == 0 goto new_flow;
    add:
        r1 = *(u64 *)(r0 + 0);
        r1 += 1;
        *(u64 *)(r0 + 0) = r1;
        r1 = *(u64 *)(r0 + 8);
        r1 += r8;
        *(u64 *)(r0 + 8) = r1;
        goto decide;
    new_flow:
        r1 = 1;
        *(u64 *)(r10 - 32) = r1;
        *(u64 *)(r10 - 24) = r8;
        r1 = FLOWS ll;
        r2 = r10;
        r2 += -16;
        r3 = r10;
        r3 += -32;
        r4 = 1;                           // BPF_NOEXIST: one event per flow, whichever CPU
        call bpf_map_update_elem;
        if r0 != 0 goto raced;
        r1 = *(u64 *)(r10 - 16);
        *(u64 *)(r10 - 56) = r1;
        r1 = *(u64 *)(r10 - 8);
        *(u64 *)(r10 - 48) = r1;
        *(u32 *)(r10 - 40) = r8;
        r1 = 0;                           // kind: new flow
        *(u32 *)(r10 - 36) = r1;
        r1 = EVENTS ll;
        r2 = r10;
        r2 += -56;
        r3 = 24;
        r4 = 0;
        call bpf_ringbuf_output;
        if r0 == 0 goto decide;
        r1 = 3;                           // the ring was full: OTHER[3] += 1
        *(u32 *)(r10 - 60) = r1;
        r2 = r10;
        r2 += -60;
        r1 = OTHER ll;
        call bpf_map_lookup_elem;
        if r0 == 0 goto decide;
        r1 = *(u64 *)(r0 + 0);
        r1 += 1;
        *(u64 *)(r0 + 0) = r1;
        goto decide;
    raced:                                // another CPU inserted it first, or the map is full
        r2 = r10;
        r2 += -16;
        r1 = FLOWS ll;
        call bpf_map_lookup_elem;
        if r0 != 0 goto add;
        r1 = 1;
        *(u32 *)(r10 - 60) = r1;
        goto count;
    decide:
        r1 = 2;                           // this CPU's packet counter: OTHER[2] += 1
        *(u32 *)(r10 - 60) = r1;
        r2 = r10;
        r2 += -60;
        r1 = OTHER ll;
        call bpf_map_lookup_elem;
        if r0 == 0 goto port;
        r1 = *(u64 *)(r0 + 0);
        r1 += 1;
        *(u64 *)(r0 + 0) = r1;
        *(u64 *)(r10 - 72) = r1;
        r1 = 1;                           // N = CONFIG[1]
        *(u32 *)(r10 - 60) = r1;
        r2 = r10;
        r2 += -60;
        r1 = CONFIG ll;
        call bpf_map_lookup_elem;
        if r0 == 0 goto port;
        r1 = *(u64 *)(r0 + 0);
        if r1 == 0 goto port;
        r2 = *(u64 *)(r10 - 72);
        r2 %= r1;
        if r2 != 0 goto port;             // every N-th packet of this CPU
        r1 = *(u64 *)(r10 - 16);
        *(u64 *)(r10 - 56) = r1;
        r1 = *(u64 *)(r10 - 8);
        *(u64 *)(r10 - 48) = r1;
        *(u32 *)(r10 - 40) = r8;
        r1 = 1;                           // kind: sample
        *(u32 *)(r10 - 36) = r1;
        r1 = EVENTS ll;
        r2 = r10;
        r2 += -56;
        r3 = 24;
        r4 = 0;
        call bpf_ringbuf_output;
        if r0 == 0 goto port;
        r1 = 3;                           // the ring was full: OTHER[3] += 1
        *(u32 *)(r10 - 60) = r1;
        r2 = r10;
        r2 += -60;
        r1 = OTHER ll;
        call bpf_map_lookup_elem;
        if r0 == 0 goto port;
        r1 = *(u64 *)(r0 + 0);
        r1 += 1;
        *(u64 *)(r0 + 0) = r1;
    port:
        if r7 != 17 goto pass;
        r1 = 0;                           // the AF_XDP port = CONFIG[0]
        *(u32 *)(r10 - 60) = r1;
        r2 = r10;
        r2 += -60;
        r1 = CONFIG ll;
        call bpf_map_lookup_elem;
        if r0 == 0 goto pass;
        r1 = *(u64 *)(r0 + 0);
        if r1 == 0 goto pass;             // no port configured
        r9 >>= 16;
        if r9 != r1 goto pass;            // the destination port
        r2 = *(u32 *)(r6 + 16);           // ctx->rx_queue_index
        r1 = XSKS ll;
        r3 = XDP_PASS;
        call bpf_redirect_map;
        exit;
    not_ip:
        r1 = 0;
        *(u32 *)(r10 - 60) = r1;
    count:
        r2 = r10;
        r2 += -60;
        r1 = OTHER ll;
        call bpf_map_lookup_elem;
        if r0 == 0 goto pass;
        r1 = *(u64 *)(r0 + 0);
        r1 += 1;
        *(u64 *)(r0 + 0) = r1;
    pass:
        r0 = XDP_PASS;
        exit;
    }
}

/// Flows, sampled events and AF_XDP in one live table, proven in a sandbox
#[derive(Debug, Parser)]
#[command(
    name = NAME,
    after_help = "Examples:\n  sudo xsk-flowtop                   # the sandbox proof, ~2 s\n  sudo xsk-flowtop --flows 32 --packets 2000\n  sudo xsk-flowtop --iface eth0 -d 30  # UDP to port 7777 of eth0 goes to this program!"
)]
struct Cli {
    /// run on this interface instead of a self-made sandbox
    #[arg(short, long, value_name = "NAME")]
    iface: Option<String>,
    /// with --iface: how long to run
    #[arg(short, long, value_name = "SECS", default_value = "10", value_parser = args::seconds)]
    duration: Duration,
    /// UDP port whose datagrams go to AF_XDP (the sandbox's other flows go to PORT + 1)
    #[arg(long, value_name = "PORT", default_value_t = PORT)]
    port: u16,
    /// also send every N-th packet each CPU sees to the ring buffer (0: only new flows)
    #[arg(long, value_name = "N", default_value = "64")]
    sample: u64,
    /// UDP flows to --port (to AF_XDP) in the sandbox's mix
    #[arg(short, long, value_name = "N", default_value = "8")]
    flows: u16,
    /// UDP flows to --port + 1 (to the kernel stack) in the sandbox's mix
    #[arg(long, value_name = "N", default_value = "4")]
    passed_flows: u16,
    /// packets of the smallest flow (flow i sends N + 50 i)
    #[arg(short, long, value_name = "N", default_value = "400")]
    packets: u32,
    /// packets per second the sandbox's sender sends (0: as fast as AF_XDP takes them)
    #[arg(short, long, value_name = "PPS", default_value = "4000")]
    rate: u64,
    /// queues of the sandbox's veth pair (one AF_XDP socket and worker thread each)
    #[arg(short, long, value_name = "N", default_value = "2")]
    queues: u32,
    /// rows of the table
    #[arg(long, value_name = "N", default_value = "10")]
    top: usize,
    /// give up after this many seconds (sandbox)
    #[arg(short = 't', long, value_name = "SECS", default_value = "20", value_parser = args::seconds)]
    max_time: Duration,
}

fn main() -> std::process::ExitCode {
    run_main(NAME, run)
}

fn run() -> Result<()> {
    let args: Cli = args::parse()?;
    if args.port == 0 || (args.iface.is_none() && args.port == u16::MAX) {
        return Err(Error::Usage(
            "--port must be 1 to 65535 (to 65534 in the sandbox, which also sends to PORT + 1)"
                .into(),
        ));
    }
    require_root(NAME)?;
    let stop = Stop::install()?;
    match args.iface.clone() {
        Some(iface) => run_iface(&iface, &args, &stop),
        None => run_sandbox(&args, &stop),
    }
}

/// One flow of the sandbox's mix.
#[derive(Debug, Clone)]
struct FlowPlan {
    dport: u16,
    payload: usize,
    packets: u64,
    sport: u16,
}

impl FlowPlan {
    fn frame_len(&self) -> u64 {
        HEADERS + self.payload as u64
    }
}

/// What the AF_XDP workers received, by source port (all must be UDP to PORT).
#[derive(Debug, Default)]
struct Delivered {
    per_sport: StdHashMap<u16, (u64, u64)>,
    unexpected: u64,
}

/// An event: the flow's key, the packet's length, the kind ([`KIND_NEW_FLOW`],
/// [`KIND_SAMPLE`]).
fn parse_event(record: &[u8]) -> Option<(FlowKey, u64, u32)> {
    if record.len() != 24 {
        return None;
    }
    let w = |i: usize| u32::from_ne_bytes([record[i], record[i + 1], record[i + 2], record[i + 3]]);
    Some(([w(0), w(4), w(8), w(12)], u64::from(w(16)), w(20)))
}

/// Writes the port and the sampling rate into the program's [`CONFIG`].
fn configure(xdp: &XskInterface, port: u16, sample: u64) -> Result<()> {
    let config = xdp.map(&CONFIG).context("the config map")?;
    config
        .set(0, &port_word(port))
        .context("setting the AF_XDP port")?;
    config
        .set(1, &sample)
        .context("setting the sampling rate")?;
    Ok(())
}

/// `saddr:sport -> daddr:dport proto` of a key.
fn key_text(k: &FlowKey) -> String {
    let a = |v: u32| Ipv4Addr::from(v.to_ne_bytes());
    let p = k[2].to_ne_bytes();
    let (sport, dport) = (
        u16::from_be_bytes([p[0], p[1]]),
        u16::from_be_bytes([p[2], p[3]]),
    );
    let proto = match k[3] {
        17 => "udp".to_string(),
        6 => "tcp".to_string(),
        1 => "icmp".to_string(),
        n => format!("ip/{n}"),
    };
    if k[3] == 17 || k[3] == 6 {
        format!("{}:{sport} -> {}:{dport} {proto}", a(k[0]), a(k[1]))
    } else {
        format!("{} -> {} {proto}", a(k[0]), a(k[1]))
    }
}

fn key_of(src: Ipv4Addr, dst: Ipv4Addr, sport: u16, dport: u16) -> FlowKey {
    let (s, d) = (sport.to_be_bytes(), dport.to_be_bytes());
    [
        u32::from_ne_bytes(src.octets()),
        u32::from_ne_bytes(dst.octets()),
        u32::from_ne_bytes([s[0], s[1], d[0], d[1]]),
        17,
    ]
}

/// Every flow of the map, summed over the CPUs.
fn read_flows(flows: &PerCpuHashMap<FlowKey, FlowValue>) -> Result<BTreeMap<FlowKey, FlowValue>> {
    let entries = flows.entries().context("reading the flow map")?;
    Ok(entries
        .into_iter()
        .map(|(k, v)| {
            let sum = v.fold([0u64; 2], |a, x| [a[0] + x[0], a[1] + x[1]]);
            (k, sum)
        })
        .collect())
}

/// The live table: top flows by bytes, with packets per second since the last table.
struct Table {
    top: usize,
    port: u16,
    last: BTreeMap<FlowKey, FlowValue>,
    ansi: bool,
    start: Instant,
    last_at: Instant,
}

impl Table {
    fn new(top: usize, port: u16) -> Table {
        let now = Instant::now();
        Table {
            top,
            port,
            last: BTreeMap::new(),
            ansi: std::io::stdout().is_terminal(),
            start: now,
            last_at: now,
        }
    }

    fn print(
        &mut self,
        now: BTreeMap<FlowKey, FlowValue>,
        other: u64,
        events: u64,
        queues: &[QueueStats],
    ) {
        let at = Instant::now();
        let (t, dt) = (
            at.duration_since(self.start).as_secs_f64(),
            at.duration_since(self.last_at).as_secs_f64(),
        );
        self.last_at = at;
        let mut rows: Vec<(&FlowKey, &FlowValue)> = now.iter().collect();
        rows.sort_by_key(|(k, v)| (std::cmp::Reverse(v[1]), **k));
        let mut out = String::new();
        if self.ansi {
            out.push_str("\x1b[2J\x1b[H");
        }
        let total: u64 = now.values().map(|v| v[0]).sum();
        out.push_str(&format!(
            "{NAME} t={t:.1}s  flows {}  packets {total}  not IPv4: {other}  events {events}\n",
            now.len()
        ));
        let q: Vec<String> = queues
            .iter()
            .map(|s| {
                format!(
                    "q{}{}: {} pkts {} wakeups {} drops",
                    s.queue,
                    s.cpu.map_or(String::new(), |c| format!("@cpu{c}")),
                    s.rx_packets,
                    s.wakeups,
                    s.rx_dropped + s.rx_ring_full
                )
            })
            .collect();
        out.push_str(&format!("AF_XDP (udp/{}): {}\n", self.port, q.join(", ")));
        out.push_str(&format!(
            "  {:<44} {:>10} {:>12} {:>9}\n",
            "flow", "packets", "bytes", "pps"
        ));
        for (k, v) in rows.iter().take(self.top) {
            let before = self.last.get(*k).map_or(0, |b| b[0]);
            let pps = (v[0] - before.min(v[0])) as f64 / dt.max(1e-3);
            out.push_str(&format!(
                "  {:<44} {:>10} {:>12} {:>9}\n",
                key_text(k),
                v[0],
                v[1],
                human(pps)
            ));
        }
        if rows.len() > self.top {
            out.push_str(&format!("  ... {} more\n", rows.len() - self.top));
        }
        print!("{out}");
        self.last = now;
    }
}

fn run_sandbox(args: &Cli, stop: &Stop) -> Result<()> {
    if !(1..=16).contains(&args.queues) {
        return Err(Error::Usage("--queues must be 1 to 16".into()));
    }
    if args.flows == 0 || args.flows > 1000 || args.passed_flows > 1000 {
        return Err(Error::Usage(
            "--flows must be 1 to 1000, --passed-flows at most 1000".into(),
        ));
    }
    if args.packets == 0 || args.packets > 1_000_000 {
        return Err(Error::Usage("--packets must be 1 to 1,000,000".into()));
    }
    let sb = Sandbox::new("flowtop", args.queues)?;
    let result = sandbox(&sb, args, stop);
    sb.remove();
    result
}

struct Shared {
    delivered: Mutex<Delivered>,
    delivered_total: AtomicU64,
    done: AtomicBool,
}

fn spawn_workers(
    xdp: &mut XskInterface,
    shared: &Arc<Shared>,
    left: Ipv4Addr,
    port: u16,
) -> Result<Workers> {
    // One CPU per queue, round robin over the CPUs this process may use.
    let ncpu = std::thread::available_parallelism().map_or(1, |n| n.get());
    let cpus: Vec<usize> = (0..xdp.queues().len()).map(|i| i % ncpu).collect();
    let shared = Arc::clone(shared);
    Workers::spawn(xdp, &WorkersConfig { cpus }, move |ctx| {
        while !ctx.should_stop() {
            let n = ctx.receive(64, |frame| {
                let mut d = shared.delivered.lock().unwrap_or_else(|e| e.into_inner());
                match parse(frame) {
                    Parsed::Udp {
                        dst, sport, dport, ..
                    } if (dst == left || left.is_unspecified()) && dport == port => {
                        let e = d.per_sport.entry(sport).or_default();
                        e.0 += 1;
                        e.1 += frame.len() as u64;
                    }
                    _ => d.unexpected += 1,
                }
            })?;
            shared
                .delivered_total
                .fetch_add(n as u64, Ordering::Release);
            if n == 0 {
                ctx.wait_rx(5)?;
            }
        }
        Ok(())
    })
    .context("starting the worker threads")
}

fn sandbox(sb: &Sandbox, args: &Cli, stop: &Stop) -> Result<()> {
    let (left, right) = (sb.pair.left.ipv4, sb.pair.right.ipv4);
    let qs: Vec<u32> = (0..args.queues).collect();
    let mut xdp = afxdp::open_sandbox(sb, &qs, FLOWTOP, 2048)?;
    let port = args.port;
    configure(&xdp, port, args.sample)?;
    let flows = xdp.map(&FLOWS).context("the flow map")?;
    let mut events = xdp.map(&EVENTS).context("the event ring buffer")?;
    let other = xdp.map(&OTHER).context("the other-frames counters")?;
    println!(
        "{NAME}: program {} ({} instructions, from defprogram!) attached to {} ({}); {} AF_XDP socket(s) ({})",
        xdp.program().name(),
        FLOWTOP.insns.len(),
        sb.pair.left.name,
        afxdp::attach_info(&xdp),
        xdp.queues().len(),
        if xdp.queues().iter().all(|q| q.socket.is_zero_copy()) { "zero-copy" } else { "copy mode" }
    );

    // The plan: flow i of each kind sends packets + 50 i datagrams of 32 + 37 i bytes.
    let mut plan: Vec<FlowPlan> = Vec::new();
    for (kind, n) in [(port, args.flows), (port + 1, args.passed_flows)] {
        for i in 0..usize::from(n) {
            plan.push(FlowPlan {
                dport: kind,
                payload: 32 + 37 * (i % 32),
                packets: u64::from(args.packets) + 50 * i as u64,
                sport: 0,
            });
        }
    }
    let to_xsk: u64 = plan
        .iter()
        .filter(|f| f.dport == port)
        .map(|f| f.packets)
        .sum();
    let all: u64 = plan.iter().map(|f| f.packets).sum();
    println!(
        "{NAME}: sending {all} UDP datagrams from {right} over {} flows: {} flows ({to_xsk} datagrams) to {left}:{port} (AF_XDP), {} flows to {left}:{} (kernel stack); sampling 1 packet in {} per CPU",
        plan.len(),
        args.flows,
        args.passed_flows,
        port + 1,
        args.sample
    );

    let shared = Arc::new(Shared {
        delivered: Mutex::new(Delivered::default()),
        delivered_total: AtomicU64::new(0),
        done: AtomicBool::new(false),
    });
    let workers = spawn_workers(&mut xdp, &shared, left, port)?;
    let deadline = Instant::now() + args.max_time;
    let sender = {
        let (shared, stop, mut plan, rate) =
            (Arc::clone(&shared), stop.clone(), plan.clone(), args.rate);
        sb.pair.right.ns.spawn(move || {
            let r = send_mix(&mut plan, left, right, port, rate, &shared, &stop, deadline);
            shared.done.store(true, Ordering::Release);
            r.map(|sent| (plan, sent))
        })
    };

    let mut table = Table::new(args.top, port);
    let mut sampled: Vec<(FlowKey, u64, u32)> = Vec::new();
    let mut bad_events = 0u64;
    let mut ticker = Ticker::new(Duration::from_secs(1));
    let mut drained_since: Option<Instant> = None;
    loop {
        events
            .poll(Some(Duration::from_millis(50)), |r| match parse_event(r) {
                Some(e) => sampled.push(e),
                None => bad_events += 1,
            })
            .context("reading the event ring buffer")?;
        if ticker.due().is_some() {
            let now = read_flows(&flows)?;
            let o = other.sum(0).context("the other-frames counter")?;
            table.print(now, o, sampled.len() as u64, &workers.stats());
        }
        if stop.is_set() || Instant::now() > deadline + Duration::from_secs(1) {
            break;
        }
        if shared.done.load(Ordering::Acquire) {
            let since = *drained_since.get_or_insert_with(Instant::now);
            let all_in = shared.delivered_total.load(Ordering::Acquire) >= to_xsk
                && sampled.iter().filter(|e| e.2 == KIND_NEW_FLOW).count() >= plan.len();
            if (all_in && since.elapsed() > Duration::from_millis(100))
                || since.elapsed() > Duration::from_secs(1)
            {
                break;
            }
        }
    }
    let (plan, sent) = match sender.join() {
        Ok(Ok(s)) => s,
        Ok(Err(e)) => return Err(e).context("sending from the right namespace"),
        Err(e) => return Err(e).context("starting the sender in the right namespace"),
    };
    events
        .consume(|r| match parse_event(r) {
            Some(e) => sampled.push(e),
            None => bad_events += 1,
        })
        .context("reading the event ring buffer")?;
    let finished = workers.join().context("the worker threads")?;
    let now = read_flows(&flows)?;
    let other_frames = other.sum(0).context("the other-frames counter")?;
    let lost = other.get(1).context("the map-full counter")?.sum();
    // The sampling counter of each CPU: exactly floor(counted / N) samples from each.
    let per_cpu_counted: Vec<u64> = other
        .get(2)
        .context("the packet counter")?
        .iter()
        .copied()
        .collect();
    let ring_full = other.sum(3).context("the ring-full counter")?;
    table.ansi = false;
    table.print(
        now.clone(),
        other_frames,
        sampled.len() as u64,
        &finished.stats,
    );
    let drops: u64 = finished
        .stats
        .iter()
        .map(|s| s.rx_dropped + s.rx_ring_full + s.invalid_descs)
        .sum();
    drop(finished);
    drop(xdp);
    let counts = Counts {
        sent,
        bad_events,
        lost,
        drops,
        port,
        sample: args.sample,
        per_cpu_counted,
        ring_full,
    };
    prove(&plan, &counts, left, right, &now, &sampled, &shared, stop)
}

/// Sends the plan round robin, paced at `rate` and never more than 128 AF_XDP datagrams ahead
/// of what the workers received. Fills in each flow's source port. Returns how many it sent.
#[allow(clippy::too_many_arguments)]
fn send_mix(
    plan: &mut [FlowPlan],
    left: Ipv4Addr,
    right: Ipv4Addr,
    port: u16,
    rate: u64,
    shared: &Shared,
    stop: &Stop,
    deadline: Instant,
) -> std::io::Result<u64> {
    let socks: Vec<UdpSocket> = plan
        .iter()
        .map(|_| UdpSocket::bind((right, 0)))
        .collect::<std::io::Result<_>>()?;
    for (f, s) in plan.iter_mut().zip(&socks) {
        f.sport = s.local_addr()?.port();
    }
    let payloads: Vec<Vec<u8>> = plan
        .iter()
        .enumerate()
        .map(|(i, f)| vec![i as u8; f.payload])
        .collect();
    let mut left_to_send: Vec<u64> = plan.iter().map(|f| f.packets).collect();
    let (mut sent, mut sent_xsk) = (0u64, 0u64);
    let start = Instant::now();
    while left_to_send.iter().any(|&n| n > 0) {
        for (i, f) in plan.iter().enumerate() {
            if left_to_send[i] == 0 {
                continue;
            }
            if stop.is_set() || Instant::now() > deadline {
                return Ok(sent);
            }
            if rate > 0 {
                let due = start + Duration::from_secs_f64(sent as f64 / rate as f64);
                let now = Instant::now();
                if due > now {
                    std::thread::sleep(due - now);
                }
            }
            if f.dport == port {
                let wait_end = Instant::now() + Duration::from_millis(200);
                while sent_xsk.saturating_sub(shared.delivered_total.load(Ordering::Acquire)) >= 128
                    && Instant::now() < wait_end
                {
                    std::thread::sleep(Duration::from_micros(50));
                }
                sent_xsk += 1;
            }
            socks[i].send_to(&payloads[i], SocketAddrV4::new(left, f.dport))?;
            left_to_send[i] -= 1;
            sent += 1;
        }
    }
    Ok(sent)
}

fn run_iface(iface: &str, args: &Cli, stop: &Stop) -> Result<()> {
    let n = iface_rx_queues(iface);
    let qs: Vec<u32> = (0..n).collect();
    eprintln!(
        "{NAME}: note: while this runs, IPv4 UDP to port {} arriving on {iface} goes to this program instead of the kernel stack",
        args.port
    );
    let mut xdp = afxdp::open_iface(iface, &qs, FLOWTOP, 2048)?;
    configure(&xdp, args.port, args.sample)?;
    let flows = xdp.map(&FLOWS).context("the flow map")?;
    let mut events = xdp.map(&EVENTS).context("the event ring buffer")?;
    let other = xdp.map(&OTHER).context("the other-frames counters")?;
    let shared = Arc::new(Shared {
        delivered: Mutex::new(Delivered::default()),
        delivered_total: AtomicU64::new(0),
        done: AtomicBool::new(false),
    });
    let local = Ipv4Addr::UNSPECIFIED;
    let workers = spawn_workers(&mut xdp, &shared, local, args.port)?;
    let mut table = Table::new(args.top, args.port);
    let mut sampled = 0u64;
    let mut ticker = Ticker::new(Duration::from_secs(1));
    let start = Instant::now();
    while !stop.is_set() && start.elapsed() < args.duration {
        events
            .poll(Some(Duration::from_millis(100)), |_| sampled += 1)
            .context("reading the event ring buffer")?;
        if ticker.due().is_some() {
            let now = read_flows(&flows)?;
            let o = other.sum(0).context("the other-frames counter")?;
            table.print(now, o, sampled, &workers.stats());
        }
    }
    let finished = workers.join().context("the worker threads")?;
    for s in &finished.stats {
        println!(
            "queue {}: {} packets, {} bytes on AF_XDP, {} wake-ups, {} dropped",
            s.queue,
            s.rx_packets,
            s.rx_bytes,
            s.wakeups,
            s.rx_dropped + s.rx_ring_full
        );
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_programs_port_literal_is_port() {
        // `r9 >>= 16` leaves the destination port's two bytes as read little-endian.
        let be = PORT.to_be_bytes();
        assert_eq!(u16::from_le_bytes(be), 0x611e);
        assert_eq!(port_word(PORT), 0x611e);
        assert_eq!(port_word(0x0102), 0x0201);
        assert_eq!(FLOWTOP.maps.len(), 5);
    }

    #[test]
    fn keys_and_events_round_trip() {
        let k = key_of(
            Ipv4Addr::new(10, 0, 0, 2),
            Ipv4Addr::new(10, 0, 0, 1),
            4000,
            PORT,
        );
        assert_eq!(key_text(&k), "10.0.0.2:4000 -> 10.0.0.1:7777 udp");
        let mut rec = Vec::new();
        for w in k {
            rec.extend_from_slice(&w.to_ne_bytes());
        }
        rec.extend_from_slice(&74u32.to_ne_bytes());
        rec.extend_from_slice(&KIND_SAMPLE.to_ne_bytes());
        assert_eq!(parse_event(&rec), Some((k, 74, KIND_SAMPLE)));
        assert_eq!(parse_event(&rec[..20]), None);
    }
}
