//! `xsk-echo`: a UDP echo server in user space. An XDP program (built at run time with the
//! builder API and the parsing snippets) redirects IPv4 UDP to one port to AF_XDP sockets; the
//! server turns each request into its answer in place — MAC, IPv4 addresses and ports swapped,
//! TTL reset, IPv4 and UDP checksums computed afresh — and sends it back out of the same queue
//! through the TX ring. Nothing else is touched: other traffic goes to the kernel stack.
//!
//! The rings of every socket are borrowed once for the whole run. Sleeping (`--poll`), the
//! server waits on the sockets' descriptors (`XskEpoll` with a ticker for the clock and no
//! time-out, or `PollHandle`s with `--wait poll`),
//! and a round's answers leave in the wait that follows it: the kernel's poll of an AF_XDP
//! socket sends what the TX ring holds, so a request costs one system call, not a `sendto`
//! and a `poll()` (`xsk_runtime::xsk::wait`, "Waits that send"). With
//! `--spin-before-sleep US` (off by default: the like-for-like twin of the C reference's
//! sleeping mode), under load (requests less than US µs apart on average; 25 µs = above
//! 40,000 requests a second) the server sends a round's answers with a `sendto` kick and
//! watches the RX rings for up to US µs before it sleeps, while it has slept at least a tenth
//! of the time (so that the CPU's other tasks get their turns in its sleeps): a request that
//! finds the server asleep waits for its wake-up (~15-50 µs on a VM), one that finds it awake
//! does not, and at 50,000 requests a second about half find a sleeping server asleep, ours
//! and C's alike. The watch trades CPU for latency (at 50,000 req/s with 25 µs: p50 ~0.3x the
//! C echo's, ~37% more CPU time per answer; BENCHMARKS.md, "Session 20: sleeping at 50,000
//! req/s").
//!
//! Without `--iface` it makes a sandbox, and a client in the far namespace sends requests
//! with an ordinary UDP socket and checks every answer (exit status 0 only if all came back
//! right).

use std::net::{SocketAddr, SocketAddrV4, UdpSocket};
use std::time::{Duration, Instant};

use clap::Parser;
use xsk_examples::afxdp::{self, queues_of};
use xsk_examples::args;
use xsk_examples::histogram::Histogram;
use xsk_examples::packet::echo_in_place;
use xsk_examples::programs::udp_port_program;
use xsk_examples::report::Ticker;
use xsk_examples::sandbox::Sandbox;
use xsk_examples::signals::Stop;
use xsk_examples::{require_root, run_main, Context, Error, Result};
use xsk_runtime::socket::{BusyPoll, CompletionRing, FillRing, RxRing, TxRing};
use xsk_runtime::umem::{FreeList, Umem};
use xsk_runtime::wait::{PollHandle, XskEpoll};
use xsk_runtime::xsk::XskQueue;
use xsk_runtime::XskInterface;

const NAME: &str = "xsk-echo";

/// answer UDP packets to a port from user space via AF_XDP (rx -> tx)
#[derive(Debug, Parser)]
#[command(
    name = NAME,
    after_help = "Examples:\n  sudo xsk-echo                          # sandbox: 100 round trips, checked\n  sudo xsk-echo --iface eth0 --port 7777 -d 60   # then: echo hi | nc -u HOST 7777"
)]
struct Cli {
    /// UDP port to answer on
    #[arg(short, long, value_name = "PORT", default_value = "7777")]
    port: u16,
    /// interface (default: a self-made sandbox with a client)
    #[arg(short, long, value_name = "NAME")]
    iface: Option<String>,
    /// only this queue (default: every queue)
    #[arg(short, long, value_name = "N")]
    queue: Option<u32>,
    /// stop after this many seconds
    #[arg(short, long, value_name = "SECS", default_value = "30", value_parser = args::seconds)]
    duration: Duration,
    /// stop after answering N packets
    #[arg(short, long, value_name = "N")]
    count: Option<u64>,
    /// sandbox: requests the client sends
    #[arg(short = 'n', long, value_name = "N", default_value = "100")]
    requests: u32,
    /// sandbox: the client sends requests N at a time, back to back, then waits for the N
    /// answers (in any order); above 32, answering a burst takes the server (in copy mode)
    /// more than one TX kick
    #[arg(long, value_name = "N", default_value = "1")]
    burst: u32,
    /// UMEM frames per queue on an interface, every one on the fill ring from the start (a
    /// fill ring as large; a power of two). The default is the C reference's and libxdp's
    /// samples' (bench/c/xsk_ref.c). The frames are used in turn, so at a low request rate
    /// each is written again only after all the others (4,096 at 1,000 req/s: every 4 s);
    /// fewer frames (e.g. 256) keep each one's memory in use, which on the benchmark's VM made
    /// the kernel's copy of a request into a frame stall about 3-5x less often; but they are
    /// also all the requests that can wait while the server is off its CPU (256 at 50,000
    /// req/s: 5 ms), past which requests are dropped (BENCHMARKS.md, "Busy-poll latency
    /// attribution, session 30")
    #[arg(long, value_name = "N", default_value = "4096")]
    frames: u32,
    /// when idle, spin on the rings instead of a 200 µs nap (one CPU at 100 %)
    #[arg(long, conflicts_with_all = ["poll", "busy_poll"])]
    spin: bool,
    /// when idle, sleep until a request arrives (see --wait) instead of a 200 µs nap
    #[arg(long, conflicts_with = "busy_poll")]
    poll: bool,
    /// with --poll: how to sleep. `epoll`: one epoll_wait on an epoll instance with every
    /// socket and a 100 ms ticker (timerfd) registered once, without a time-out; `poll`:
    /// poll() on each socket with a 100 ms time-out (a wait-queue entry and a timer added and
    /// removed per call). Either way the rings stay borrowed for the whole run
    #[arg(long, value_enum, value_name = "HOW", default_value = "epoll")]
    wait: WaitHow,
    /// with --poll: kick TX with sendto() before every sleep, as the C reference does, instead
    /// of leaving the answer's send to the wait (the kernel's poll of an AF_XDP socket sends
    /// what the TX ring holds: one system call per request instead of two). For comparison
    #[arg(long)]
    kick_before_wait: bool,
    /// with --poll: under load (requests less than US µs apart on average, measured at the
    /// loop's clock readings: above 40,000 requests/s for 25), send a round's answers at
    /// once (a sendto() kick, as the C reference does every round) and watch the RX rings for
    /// up to US µs before going to sleep (while the server has slept at least a tenth of the
    /// time), so that a request that follows soon is taken without a sleeping server's
    /// wake-up (~15-50 µs on a VM). At a low rate nothing changes (the wait sends the answers,
    /// one system call a request); at 50,000 requests/s the server seldom sleeps and uses ~37%
    /// more CPU time per answer. 0 (the default, the twin of the C reference): sleep at once,
    /// always
    #[arg(long, value_name = "US", default_value = "0", value_parser = clap::value_parser!(u32).range(0..=1000))]
    spin_before_sleep: u32,
    /// never sleep: spin on the RX ring with busy polling (one CPU at 100 %: pin it)
    ///
    /// The sockets get SO_PREFER_BUSY_POLL, SO_BUSY_POLL 20 µs and SO_BUSY_POLL_BUDGET 64,
    /// and a non-blocking recvfrom() while idle lets the kernel poll the device queue where
    /// its driver can (libxdp's `xdpsock -B`); TX is kicked only when the kernel asks. Run it
    /// on a CPU of its own (`taskset -c N`).
    #[arg(long)]
    busy_poll: bool,
}

/// In `--poll`, the clock is read at least once per this many waits (each at most 100 ms).
const POLLS_PER_CLOCK: u32 = 10;

/// The most TX entries a round leaves to the wait to send: the kernel's TX budget of one poll
/// of the socket (copy mode; `XDP_MAX_TX_SKB_BUDGET`'s default), so that one wait sends them
/// all. A round that queued more kicks them itself.
const WAIT_SENDS_AT_MOST: u32 = 32;

/// How `--poll` sleeps.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
struct Sleep {
    /// The system call (`--wait`).
    how: WaitHow,
    /// A round that answered requests leaves their send to the wait (no `--kick-before-wait`).
    wait_sends: bool,
    /// `--spin-before-sleep`: how long to watch the RX rings before a sleep under load (zero:
    /// never); requests less than this apart on average are load.
    spin: Duration,
}

/// How `--poll` sleeps (`--wait`).
#[derive(Clone, Copy, PartialEq, Eq, Debug, clap::ValueEnum)]
enum WaitHow {
    /// `epoll_wait` on one epoll instance with every socket and a 100 ms ticker registered
    /// once, without a time-out.
    Epoll,
    /// `poll()` on each socket.
    Poll,
}

/// What the server does when no request is waiting.
#[derive(Clone, Copy, PartialEq)]
enum Idle {
    /// A 200 µs nap.
    Nap,
    /// Nothing: go round again.
    Spin,
    /// Sleep (epoll or `poll()` on the sockets: `--wait`) until one can be read.
    Poll(Sleep),
    /// Busy polling: a non-blocking `recvfrom()` on each idle socket (the kernel polls the
    /// device queue there, busy-poll options set), then go round again.
    BusyPoll,
}

fn main() -> std::process::ExitCode {
    run_main(NAME, run)
}

fn run() -> Result<()> {
    let args: Cli = args::parse()?;
    let (port, duration, count, queue) = (args.port, args.duration, args.count, args.queue);
    let requests = args.requests;
    let idle = match (args.spin, args.poll, args.busy_poll) {
        (true, _, _) => Idle::Spin,
        (_, true, _) => Idle::Poll(Sleep {
            how: args.wait,
            wait_sends: !args.kick_before_wait,
            spin: Duration::from_micros(u64::from(args.spin_before_sleep)),
        }),
        (_, _, true) => Idle::BusyPoll,
        _ => Idle::Nap,
    };
    if requests == 0 || requests > 1_000_000 {
        return Err(Error::Usage("--requests must be 1 to 1,000,000".into()));
    }
    if !(64..=1 << 16).contains(&args.frames) || !args.frames.is_power_of_two() {
        return Err(Error::Usage(
            "--frames must be a power of two from 64 to 65,536".into(),
        ));
    }
    if args.burst == 0 || args.burst > 256 {
        return Err(Error::Usage("--burst must be 1 to 256".into()));
    }
    let plan = Plan {
        requests,
        burst: args.burst,
    };

    require_root(NAME)?;
    let stop = Stop::install()?;
    let program = udp_port_program(port)?;
    match args.iface.as_deref() {
        Some(iface) => {
            let qs = queues_of(iface, queue);
            let mut xdp = afxdp::open_iface_all_filled(iface, &qs, program, args.frames)?;
            if idle == Idle::BusyPoll {
                busy_poll_on(&mut xdp)?;
            }
            println!(
                "{NAME}: answering UDP port {port} on {iface} ({}), {} queue(s), for {:.0} s",
                afxdp::attach_info(&xdp),
                qs.len(),
                duration.as_secs_f64()
            );
            let n = serve(&mut xdp, count, duration, idle, &stop, || false)?;
            println!("{NAME}: answered {n} packets");
            // The kernel's side (XDP_STATISTICS): drops for a full RX ring or an empty fill
            // ring would show a server that fell behind, not a slow path.
            for q in xdp.queues() {
                if let Ok(st) = q.socket.statistics() {
                    println!(
                        "{NAME}: queue {}: kernel: rx_dropped={} rx_ring_full={} fill_ring_empty={} tx_invalid={}",
                        q.queue(), st.rx_dropped, st.rx_ring_full, st.rx_fill_ring_empty_descs, st.tx_invalid_descs
                    );
                }
            }
            Ok(())
        }
        None => {
            let sb = Sandbox::new("echo", 2)?;
            let r = sandbox_run(&sb, program, port, plan, duration, idle, &stop);
            sb.remove();
            r
        }
    }
}

fn sandbox_run(
    sb: &Sandbox,
    program: ebpf_dsl::ProgramSpec,
    port: u16,
    plan: Plan,
    duration: Duration,
    idle: Idle,
    stop: &Stop,
) -> Result<()> {
    let requests = plan.requests;
    let mut xdp = afxdp::open_sandbox(sb, &[0, 1], program, 1024)?;
    if idle == Idle::BusyPoll {
        busy_poll_on(&mut xdp)?;
    }
    let (left, right) = (sb.pair.left.ipv4, sb.pair.right.ipv4);
    println!(
        "{NAME}: answering UDP port {port} on {} ({}); a client at {right} sends {requests} requests",
        sb.pair.left.name,
        afxdp::attach_info(&xdp)
    );
    // The client stops on Ctrl-C, and when the server stops (done, --duration): its report,
    // with what was measured so far, is printed on every way of stopping.
    let (stop_client, signal) = (Stop::manual(), stop.clone());
    let client_flag = stop_client.clone();
    let client = sb.pair.right.ns.spawn(move || {
        client(left, right, port, plan, &|| {
            signal.is_set() || client_flag.is_set()
        })
    });
    let mut client = Some(client);
    let mut report = None;
    let served = serve(&mut xdp, None, duration, idle, stop, || {
        if client.as_ref().is_some_and(|h| h.is_finished()) {
            report = client.take().map(|h| h.join());
        }
        report.is_some()
    });
    stop_client.set();
    if let Some(h) = client.take() {
        // Within the client's 500 ms receive timeout.
        report = Some(h.join());
    }
    drop(xdp);
    let report = match report {
        Some(Ok(Ok(r))) => Some(r),
        Some(Ok(Err(e))) => {
            eprintln!("{NAME}: the client failed: {e}");
            None
        }
        Some(Err(e)) => {
            eprintln!("{NAME}: the client did not run: {e}");
            None
        }
        None => None,
    };
    let answered = served?;
    let Some(r) = report else {
        return Err(Error::Failed(format!(
            "no client report (server answered {answered})"
        )));
    };
    let why = if stop.is_set() {
        "interrupted"
    } else if r.sent < u64::from(requests) {
        "stopped by --duration"
    } else {
        "done"
    };
    println!(
        "{NAME}: {} of {requests} requests answered correctly ({} sent, server answered {answered}, {why}); round trip {}",
        r.ok,
        r.sent,
        r.rtt.summary()
    );
    if r.ok == u64::from(requests) {
        println!("ECHO OK: every answer came back with the request's payload, from {left}:{port}, with valid checksums");
        Ok(())
    } else {
        Err(Error::Failed(format!(
            "{} of {requests} requests were not answered correctly ({why})",
            u64::from(requests) - r.ok
        )))
    }
}

/// What the sandbox's client sends.
#[derive(Clone, Copy)]
struct Plan {
    /// Requests in all.
    requests: u32,
    /// Requests sent back to back before the client waits for their answers.
    burst: u32,
}

/// What the sandbox's client saw.
struct ClientReport {
    /// Requests sent.
    sent: u64,
    /// Answers that came back right.
    ok: u64,
    /// Round-trip times of the right answers (fixed size, however many there are).
    rtt: Histogram,
}

/// The sandbox's client: sends `plan.requests` datagrams from an ordinary socket,
/// `plan.burst` at a time back to back, each with its own payload, and checks that each burst's
/// answers all come back (in any order; 500 ms without one ends the wait for that burst's
/// rest), until done or `stopped()`. The kernel drops datagrams with a bad UDP checksum, so an
/// answer that arrives proves the checksums right.
fn client(
    left: std::net::Ipv4Addr,
    right: std::net::Ipv4Addr,
    port: u16,
    plan: Plan,
    stopped: &dyn Fn() -> bool,
) -> std::io::Result<ClientReport> {
    let s = UdpSocket::bind((right, 0))?;
    s.set_read_timeout(Some(Duration::from_millis(500)))?;
    let server = SocketAddr::V4(SocketAddrV4::new(left, port));
    let mut report = ClientReport {
        sent: 0,
        ok: 0,
        rtt: Histogram::new(),
    };
    let mut buf = [0u8; 2048];
    let mut waiting: Vec<(String, Instant)> = Vec::with_capacity(plan.burst as usize);
    let mut i = 0u32;
    while i < plan.requests && !stopped() {
        let n = plan.burst.min(plan.requests - i);
        for k in i..i + n {
            let msg = format!("request {k} {}", "x".repeat((k % 200) as usize));
            let t = Instant::now();
            s.send_to(msg.as_bytes(), server)?;
            report.sent += 1;
            waiting.push((msg, t));
        }
        i += n;
        while !waiting.is_empty() {
            match s.recv_from(&mut buf) {
                Ok((len, from)) if from == server => {
                    if let Some(at) = waiting
                        .iter()
                        .position(|(m, _)| m.as_bytes() == &buf[..len])
                    {
                        let (_, t) = waiting.swap_remove(at);
                        report.ok += 1;
                        report.rtt.record(t.elapsed());
                    }
                }
                Ok(_) => {}
                Err(e)
                    if matches!(
                        e.kind(),
                        std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut
                    ) =>
                {
                    break;
                }
                Err(e) => return Err(e),
            }
        }
        waiting.clear();
    }
    Ok(report)
}

/// Sets the kernel's busy-polling options (the defaults of [`BusyPoll`]: libxdp's samples')
/// on every socket of `xdp`.
fn busy_poll_on(xdp: &mut XskInterface) -> Result<()> {
    for q in xdp.queues_mut().iter_mut() {
        q.socket
            .set_busy_poll(&BusyPoll::default())
            .context("setting the busy-poll socket options")?;
    }
    Ok(())
}

/// One queue's rings and free list, borrowed together.
struct QueueRings<'a> {
    fill: &'a mut FillRing,
    comp: &'a mut CompletionRing,
    rx: &'a mut RxRing,
    tx: &'a mut TxRing,
    free: &'a mut FreeList,
    /// The last round queued answers and left their send to the wait (`--poll`; see
    /// `xsk_runtime::xsk::wait`, "Waits that send").
    left_to_wait: bool,
}

impl<'a> QueueRings<'a> {
    /// The four rings of `q`'s socket and its free list.
    fn of(q: &'a mut XskQueue) -> Result<QueueRings<'a>> {
        let XskQueue { socket, free } = q;
        let rings = socket.rings();
        let (Some(fill), Some(comp), Some(rx), Some(tx)) =
            (rings.fill, rings.completion, rings.rx, rings.tx)
        else {
            return Err(Error::Failed("a socket lacks one of its four rings".into()));
        };
        Ok(QueueRings {
            fill,
            comp,
            rx,
            tx,
            free,
            left_to_wait: false,
        })
    }
}

/// What the server counts: requests answered, packets ignored (not a request, or past
/// `--count`), and the `--count` limit.
struct Tally {
    answered: u64,
    ignored: u64,
    limit: u64,
}

/// One round on one queue: receive, answer in place, transmit, then completions back to the
/// fill ring; when nothing was answered, the wake-up `idle` asks for. `wait_sends`: sleeping,
/// the wait after the round sends its answers (`q.left_to_wait` says whether it left them).
/// Returns the requests taken and whether to go round again at once (a kick made progress
/// and more is queued).
/// Inlined in both loops of [`serve`]: out of line, its call and its result cost more than
/// holding the rings saves (counted by `bench/lat_counts.py busy`: 118 instructions a busy idle
/// round out of line, 81 inlined, 109 before the rings were held).
#[inline(always)]
fn serve_queue(
    q: &mut QueueRings<'_>,
    umem: &Umem,
    idle: Idle,
    wait_sends: bool,
    tally: &mut Tally,
) -> Result<(u32, bool)> {
    let QueueRings {
        fill,
        comp,
        rx,
        tx,
        free,
        left_to_wait,
    } = q;
    // A waiting request first, so that the ring is looked at right after the idle wait (a
    // busy-poll recvfrom(), a sleep) returns; then the answer's kick, and only then the
    // completions and the refill, which no answer waits for (the fill ring holds nearly every
    // frame). An idle round costs the loads of the RX and completion rings' producer indices
    // and of the TX ring's consumer index.
    let mut sent = 0;
    let mut got = 0;
    let mut busy = false;
    *left_to_wait = false;
    if rx.available() > 0 {
        let mut rxb = rx.recv(64);
        got = rxb.len();
        let mut txb = tx.reserve(rxb.len());
        for mut pkt in rxb.by_ref() {
            if tally.answered + u64::from(sent) >= tally.limit
                || !echo_in_place(umem.packet_mut(&mut pkt))
            {
                tally.ignored += 1;
                let _ = free.push(pkt.into_frame());
                continue;
            }
            match txb.push_packet(pkt) {
                Ok(()) => sent += 1,
                Err(p) => {
                    let _ = free.push(p.into_frame());
                }
            }
        }
        txb.submit();
        rxb.release();
        tally.answered += u64::from(sent);
    }
    // Kick while the kernel has not taken all that is queued, not only in a round that queued
    // something (as libxdp's samples and our l2fwd do): in copy mode one sendto() sends at
    // most 32 frames (the kernel's TX budget) and leaves the rest in the ring, where it used to
    // wait for the next request's kick (measured: the tail of 1 in 10 bursts of 100 requests
    // came back only with the next burst).
    let queued = tx.pending();
    if queued > 0 {
        // Sleeping, the wait that ends this round sends what this round queued, if that is
        // all the ring holds and one poll's budget: the socket is polled in the wait (poll()
        // always; epoll because a request was taken since the last wait) and the kernel's poll
        // of the socket sends TX as the kick would. One system call a request, not two.
        if wait_sends && queued == sent && queued <= WAIT_SENDS_AT_MOST {
            *left_to_wait = true;
        } else {
            tx.kick_if_needed().context("sendto(AF_XDP) TX kick")?;
            let left = tx.pending();
            // The kernel took some and more is left: go round again before any sleep.
            busy = left > 0 && left < queued;
        }
    }
    // Sent frames straight back to the fill ring (libxdp's l2fwd step); what did not fit (a
    // fill ring smaller than the UMEM) goes to the free list. An idle round costs one look at
    // the completion ring's producer index.
    if fill.refill_from_completions(comp, 64) > 0 {
        comp.complete_into(free, 64);
    }
    if !free.is_empty() {
        fill.fill_from(free, 64);
    }
    if sent == 0 {
        if idle == Idle::BusyPoll {
            // Busy polling: the kernel polls the device queue inside this recvfrom().
            fill.wake().context("recvfrom(AF_XDP) busy poll")?;
        } else {
            fill.wake_if_needed().context("recvfrom(AF_XDP) wake-up")?;
        }
    }
    Ok((got, busy))
}

/// The clock of the loop: the deadline (`--duration`) and the progress line once a second.
struct Clock {
    /// None: a duration beyond what an `Instant` holds, never reached.
    deadline: Option<Instant>,
    ticker: Ticker,
}

impl Clock {
    /// Reads the clock: prints the progress line when due; true once the deadline is past.
    fn expired(&mut self, tally: &Tally) -> bool {
        self.expired_at(Instant::now(), tally)
    }

    /// [`expired`](Clock::expired) with the clock read already (`now`).
    fn expired_at(&mut self, now: Instant, tally: &Tally) -> bool {
        if self.deadline.is_some_and(|d| now >= d) {
            return true;
        }
        if let Some((t, _)) = self.ticker.due_at(now) {
            println!(
                "t={t:4.1}s answered={} ignored={}",
                tally.answered, tally.ignored
            );
        }
        false
    }
}

/// How `--poll` sleeps: what it waits on, taken before the rings are borrowed (the handles
/// hold only the sockets' descriptors).
enum Waiter {
    /// `epoll_wait` on every socket at once.
    Epoll(XskEpoll),
    /// `poll()` on the one socket.
    Poll(PollHandle),
    /// `poll()` on each socket's handle.
    PollEach(Vec<PollHandle>),
}

impl Waiter {
    /// The waiter of `how` for every socket of `xdp`.
    fn new(xdp: &XskInterface, how: WaitHow) -> Result<Waiter> {
        let sockets = xdp.queues().iter().map(|q| &q.socket);
        Ok(match how {
            WaitHow::Epoll => {
                let mut ep = XskEpoll::with_sockets(sockets)
                    .context("registering the sockets with epoll")?;
                // The clock every 100 ms from a ticker armed once, so that the waits need no
                // time-out (no kernel timer armed and cancelled per wait).
                ep.add_ticker(Duration::from_millis(100))
                    .context("a 100 ms ticker (timerfd) in the epoll set")?;
                Waiter::Epoll(ep)
            }
            WaitHow::Poll => {
                let mut handles: Vec<PollHandle> = sockets.map(|s| s.poll_handle()).collect();
                match handles.len() {
                    1 => Waiter::Poll(handles.remove(0)),
                    _ => Waiter::PollEach(handles),
                }
            }
        })
    }

    /// Sleeps until a socket has a request (at most 100 ms, to see the clock and Ctrl-C),
    /// sending what the rounds left to the wait. epoll: one wait for all, without a time-out
    /// (the ticker ends it every 100 ms; a signal, EINTR, at once). `poll()`: one queue
    /// sleeps in its poll(); several get a short poll each, so that none waits behind another,
    /// and a queue whose RX ring is not empty is polled only to send what its round left (the
    /// poll returns at once).
    #[inline(always)]
    fn wait(&mut self, queues: &mut [QueueRings<'_>]) -> Result<()> {
        match self {
            Waiter::Epoll(ep) => {
                ep.wait(-1).context("epoll_wait(AF_XDP sockets)")?;
            }
            Waiter::Poll(h) => {
                h.poll_rx(100).context("poll(AF_XDP socket)")?;
            }
            Waiter::PollEach(handles) => {
                for (h, q) in handles.iter().zip(queues.iter_mut()) {
                    if q.left_to_wait || q.rx.available() == 0 {
                        h.poll_rx(1).context("poll(AF_XDP socket)")?;
                    }
                }
            }
        }
        Ok(())
    }
}

/// Under load, the server asleep at least this share of the time (1/10): the CPU's other
/// tasks get their turns in the sleeps, not in one long preemption. A `SCHED_FIFO` server that
/// never sleeps makes the kernel's fair server (Linux >= 6.12) take its CPU for up to 50 ms at
/// a time once the others have waited long enough (measured: 36-45 ms p99s and lost requests
/// in half of the runs at 50,000 req/s without this bound).
const ASLEEP_AT_LEAST: u32 = 10;

/// The window over which the share asleep is counted (started afresh every 10 ms, and at the
/// first round under load after a time without).
const SHARE_WINDOW: Duration = Duration::from_millis(10);

/// The least time between two readings of the request rate (`SpinFirst::observe`).
const RATE_SPAN: Duration = Duration::from_micros(500);

/// `--spin-before-sleep`: when to watch the RX rings before a sleep, and for how long.
struct SpinFirst {
    /// The longest watch; requests less than this apart on average are load.
    spin: Duration,
    /// The last reading of the rate: when, and the requests answered by then.
    seen: Option<(Instant, u64)>,
    /// Requests came less than `spin` apart on average since the reading before (the watch
    /// then mostly takes the next one: at 25,000 req/s with a 25 µs watch it took half, for
    /// no gain in the p50).
    under_load: bool,
    /// The start of the window of the share asleep, and the time asleep in it so far.
    window: Instant,
    slept: Duration,
    /// When the wait about to start was entered under load (its sleep is counted).
    sleep_from: Option<Instant>,
    /// Rounds under load, those whose watch took a request, and those that slept at once
    /// to keep the share asleep (printed at the end).
    rounds: u64,
    caught: u64,
    held_back: u64,
}

impl SpinFirst {
    fn new(spin: Duration) -> SpinFirst {
        SpinFirst {
            spin,
            seen: None,
            under_load: false,
            window: Instant::now(),
            slept: Duration::ZERO,
            sleep_from: None,
            rounds: 0,
            caught: 0,
            held_back: 0,
        }
    }

    /// At a reading of the loop's clock (`now`, with `answered` requests answered so far):
    /// load is requests less than `spin` apart on average since the last reading at least
    /// [`RATE_SPAN`] ago. The loop reads its clock every 256 rounds and every 10 waits, so
    /// load is seen within a few milliseconds, and a request at a low rate costs no clock
    /// reading of its own.
    #[inline(never)]
    fn observe(&mut self, now: Instant, answered: u64) {
        let Some((t, n)) = self.seen else {
            self.seen = Some((now, answered));
            return;
        };
        let span = now.duration_since(t);
        if span < RATE_SPAN {
            return;
        }
        let gaps = u128::from(answered.saturating_sub(n));
        self.under_load = span.as_nanos() < self.spin.as_nanos() * gaps;
        self.seen = Some((now, answered));
        if !self.under_load {
            self.window = now;
            self.slept = Duration::ZERO;
        }
    }

    /// After a round that answered requests: under load ([`observe`](SpinFirst::observe)),
    /// sends the answers (the kick the wait would make) and, while the server has been asleep
    /// at least [`ASLEEP_AT_LEAST`] of the window, watches every RX ring for up to `spin`.
    /// Returns true if a request came (go round again, no sleep); false to sleep as usual.
    ///
    /// Why (BENCHMARKS.md, "Session 20: sleeping at 50,000 req/s"): under load a request
    /// either finds the server awake (answered in ~5-10 µs) or asleep (a wake-up of ~15-50 µs
    /// on a VM first), and at 50,000 req/s the two came about half and half, so the p50 fell
    /// on either side by chance. Watching the ring while requests come this close together
    /// takes most of them awake.
    #[inline(never)]
    fn before_sleep(&mut self, queues: &mut [QueueRings<'_>]) -> Result<bool> {
        if !self.under_load {
            return Ok(false);
        }
        let now = Instant::now();
        if now.duration_since(self.window) >= SHARE_WINDOW {
            self.window = now;
            self.slept = Duration::ZERO;
        }
        self.rounds += 1;
        for q in queues.iter_mut() {
            if q.left_to_wait {
                q.tx.kick_if_needed().context("sendto(AF_XDP) TX kick")?;
                q.left_to_wait = false;
            }
        }
        if self.slept * ASLEEP_AT_LEAST < now.duration_since(self.window) {
            self.held_back += 1;
        } else {
            let until = now + self.spin;
            'watch: loop {
                for _ in 0..64 {
                    if queues.iter_mut().any(|q| q.rx.available() > 0) {
                        self.caught += 1;
                        return Ok(true);
                    }
                    std::hint::spin_loop();
                }
                if Instant::now() >= until {
                    break 'watch;
                }
            }
        }
        self.sleep_from = Some(Instant::now());
        Ok(false)
    }

    /// After a wait: counts its time if [`before_sleep`](SpinFirst::before_sleep) let it
    /// start under load.
    #[inline(always)]
    fn after_wait(&mut self) {
        if let Some(t) = self.sleep_from.take() {
            self.slept += t.elapsed();
        }
    }
}

/// The server loop: [`serve_queue`] on every queue, round after round; when idle, what `idle`
/// says. Returns the packets answered.
fn serve(
    xdp: &mut XskInterface,
    count: Option<u64>,
    duration: Duration,
    idle: Idle,
    stop: &Stop,
    mut done: impl FnMut() -> bool,
) -> Result<u64> {
    let umem = xdp.umem().clone();
    let start = Instant::now();
    let mut clock = Clock {
        deadline: start.checked_add(duration),
        ticker: Ticker::new(Duration::from_secs(1)),
    };
    let mut tally = Tally {
        answered: 0,
        ignored: 0,
        limit: count.unwrap_or(u64::MAX),
    };
    // The clock (the duration, the progress line) is read once every 256 rounds; in the
    // sleeping modes also in a round that found no request (a nap or a poll() that ended with
    // nothing to do), and in --poll after POLLS_PER_CLOCK poll()s that each ended with a
    // request (each sleeps at most 100 ms, so the clock is seen at least every ~1 s however
    // slowly requests come). Never between a wake-up and the look at the RX ring, nor on every
    // request's way back to the wait (the C reference reads it only on an idle step or every
    // 256): each reading costs ~100 instructions, more than a tenth of what a request costs.
    let mut round = 0u32;
    let mut waiter = match idle {
        Idle::Poll(sleep) => Some(Waiter::new(xdp, sleep.how)?),
        _ => None,
    };
    // The waits send the answers only where the kernel's poll of the socket drives TX: with
    // need_wakeup (the default; kernels before 5.4 had none, and their poll sent nothing in
    // copy mode).
    let wait_sends = matches!(
        idle,
        Idle::Poll(Sleep {
            wait_sends: true,
            ..
        })
    ) && xdp.queues().iter().all(|q| q.socket.uses_need_wakeup());
    // The rings are borrowed once for the whole run, in every mode (an idle round is then a
    // look at three ring indices and, busy polling, a recvfrom()); the sleeping modes wait on
    // the sockets' descriptors (`waiter`), not on the sockets.
    let mut queues = xdp
        .queues_mut()
        .iter_mut()
        .map(QueueRings::of)
        .collect::<Result<Vec<_>>>()?;
    if matches!(idle, Idle::Spin | Idle::BusyPoll) {
        loop {
            round = round.wrapping_add(1);
            if stop.is_set() || tally.answered >= tally.limit || done() {
                break;
            }
            for q in queues.iter_mut() {
                serve_queue(q, &umem, idle, false, &mut tally)?;
            }
            if round.is_multiple_of(256) && clock.expired(&tally) {
                break;
            }
        }
        return Ok(tally.answered);
    }
    let mut polls = 0u32;
    let mut spin_first = match idle {
        Idle::Poll(sleep) if !sleep.spin.is_zero() => Some(SpinFirst::new(sleep.spin)),
        _ => None,
    };
    loop {
        round = round.wrapping_add(1);
        if stop.is_set() || tally.answered >= tally.limit || done() {
            break;
        }
        // `busy`: go round again at once (no nap, no wait); `got`: requests taken this round.
        let mut busy = false;
        let mut got = 0u32;
        for q in queues.iter_mut() {
            let (g, b) = serve_queue(q, &umem, idle, wait_sends, &mut tally)?;
            got += g;
            busy |= b;
        }
        // A round that took requests goes round again, except before a sleep, which looks at
        // the RX rings itself first and sleeps only if all are empty: an answered request goes
        // straight back to the wait, one round per request (the C reference's).
        busy |= got > 0 && waiter.is_none();
        if round.is_multiple_of(256) || got == 0 || polls >= POLLS_PER_CLOCK {
            polls = 0;
            let now = Instant::now();
            if let Some(sf) = spin_first.as_mut() {
                sf.observe(now, tally.answered);
            }
            if clock.expired_at(now, &tally) {
                break;
            }
        }
        if busy {
            continue;
        }
        if got > 0 {
            if let Some(sf) = spin_first.as_mut().filter(|sf| sf.under_load) {
                if sf.before_sleep(&mut queues)? {
                    continue;
                }
            }
        }
        match waiter.as_mut() {
            None => std::thread::sleep(Duration::from_micros(200)),
            Some(w) => {
                polls += 1;
                w.wait(&mut queues)?;
                if let Some(sf) = spin_first.as_mut() {
                    sf.after_wait();
                }
            }
        }
    }
    if let Some(sf) = spin_first.filter(|sf| sf.rounds > 0) {
        println!(
            "{NAME}: under load {} rounds: the watch took the next request in {}, slept at once (1/10 asleep) in {}",
            sf.rounds, sf.caught, sf.held_back
        );
    }
    // Answers left to a wait that did not come (stopped): sent before the sockets close.
    for q in queues.iter_mut() {
        if q.tx.pending() > 0 {
            let _ = q.tx.kick_if_needed();
        }
    }
    Ok(tally.answered)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Load is requests less than `spin` apart on average between two clock readings at least
    /// `RATE_SPAN` apart: 50,000 req/s is load for the default 25 µs, 1,000, 10,000 and 25,000
    /// req/s are not; readings closer together than `RATE_SPAN` change nothing.
    #[test]
    fn load_is_the_request_rate_between_clock_readings() {
        let mut sf = SpinFirst::new(Duration::from_micros(25));
        let t0 = Instant::now();
        let at = |us: u64| t0 + Duration::from_micros(us);
        sf.observe(at(0), 0);
        assert!(!sf.under_load, "one reading tells no rate");
        // 50 requests in 1 ms: 20 µs apart.
        sf.observe(at(1_000), 50);
        assert!(sf.under_load);
        // A reading 100 µs later (a round that found nothing) keeps the verdict.
        sf.observe(at(1_100), 50);
        assert!(sf.under_load);
        // 10 requests in 1 ms (100 µs apart; the reading above was not taken as the start).
        sf.observe(at(2_000), 60);
        assert!(!sf.under_load);
        // 1,000 req/s: 10 requests in 10 ms.
        sf.observe(at(12_000), 70);
        assert!(!sf.under_load);
        // 40 µs apart (25,000 req/s): not load.
        sf.observe(at(14_000), 120);
        assert!(!sf.under_load);
        // 20 µs apart: load.
        sf.observe(at(16_000), 220);
        assert!(sf.under_load);
        // Not load again: the window of the share asleep starts afresh.
        sf.slept = Duration::from_millis(3);
        sf.observe(at(26_000), 221);
        assert!(!sf.under_load);
        assert_eq!(sf.slept, Duration::ZERO);
        assert_eq!(sf.window, at(26_000));
    }
}
