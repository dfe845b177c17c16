//! `bench-xsk`: ours' side of the benchmark's AF_XDP workloads, written the way the C reference
//! `bench/c/xsk_ref.c` is (same rings, sizes, batch and loop structure), on `xsk-runtime`:
//!
//! ```text
//! bench-xsk rxdrop|txonly|l2fwd --iface IF [--queue Q] [--batch N] [--no-need-wakeup]
//!           [--poll] [--duration SECS] [--warmup SECS] [--tx-len BYTES]
//! ```
//!
//! - rxdrop: receive a batch, hand its frames straight back to the fill ring;
//! - txonly: every UMEM frame holds the same 60-byte UDP packet; send batches, take the
//!   completions back onto the free list;
//! - l2fwd: completions back to the fill ring, receive, swap the MAC addresses, transmit.
//!
//! Copy mode, need_wakeup on, 4096 frames of 4096 bytes, RX/TX/completion rings of 2048 and a
//! fill ring of 4096 holding every frame (rx modes), as in the C program. rx modes attach the
//! guides' redirect-by-queue program (`XskInterface`, bpf_link).
//!
//! Prints on exit, for `bench/harness.py`:
//! `RESULT impl=rust mode=M pkts=N secs=S pps=P cpu_ns_per_pkt=C total_pkts=T`
//! (window after the warm-up; CPU from `/proc/thread-self/schedstat`, the harness measures the
//! process's CPU itself with `wait4`).

use std::process::ExitCode;

use clap::{CommandFactory, Parser};
use std::time::{Duration, Instant};

use xsk_runtime::attach::{AttachOptions, XdpMode};
use xsk_runtime::socket::{BindMode, SocketConfig, XskSocket};
use xsk_runtime::umem::{Umem, UmemConfig};
use xsk_runtime::xsk::{Queues, RedirectProgram, XskInterface, XskInterfaceConfig};

/// The workload.
#[derive(Clone, Copy, PartialEq, Eq, Debug, clap::ValueEnum)]
enum Mode {
    /// receive a batch, hand its frames straight back to the fill ring
    #[value(name = "rxdrop")]
    RxDrop,
    /// send batches of the same UDP packet, take the completions back
    #[value(name = "txonly")]
    TxOnly,
    /// receive, swap the MAC addresses, transmit
    #[value(name = "l2fwd")]
    L2Fwd,
}

/// ours' side of the benchmark's AF_XDP workloads, written the way the C reference
/// bench/c/xsk_ref.c is
#[derive(Debug, Parser)]
#[command(name = "bench-xsk")]
struct Opts {
    /// the workload
    #[arg(value_enum)]
    mode: Mode,
    /// the interface (required)
    #[arg(short, long, value_name = "IF")]
    iface: String,
    /// the queue to bind to
    #[arg(short, long, value_name = "Q", default_value = "0")]
    queue: u32,
    /// descriptors per ring operation (1 to 1024)
    #[arg(short, long, value_name = "N", default_value = "64")]
    batch: u32,
    /// bind without XDP_USE_NEED_WAKEUP
    #[arg(long)]
    no_need_wakeup: bool,
    /// poll() while the RX ring is empty, instead of spinning
    #[arg(long)]
    poll: bool,
    /// measured seconds (0 < S <= 3600)
    #[arg(short, long, value_name = "SECS", default_value = "10")]
    duration: f64,
    /// seconds before the measurement (0 to 60)
    #[arg(short, long, value_name = "SECS", default_value = "1")]
    warmup: f64,
    /// length of the frames sent (42 to 1500)
    #[arg(long, value_name = "BYTES", default_value = "60")]
    tx_len: u32,
}

const FRAMES: u32 = 4096;
const FRAME_SIZE: u32 = 4096;
const RING: u32 = 2048;

/// Parses and checks the command line: `--help` and bad usage come back as clap's error,
/// which prints itself (help on stdout with status 0, errors on stderr with status 2).
fn parse() -> Result<Opts, clap::Error> {
    let o = Opts::try_parse()?;
    if o.batch == 0
        || o.batch > 1024
        || !(o.duration > 0.0 && o.duration <= 3600.0)
        || !(0.0..=60.0).contains(&o.warmup)
        || !(42..=1500).contains(&o.tx_len)
    {
        return Err(Opts::command().error(
            clap::error::ErrorKind::ValueValidation,
            "need 1 <= --batch <= 1024, 0 < --duration <= 3600, 0 <= --warmup <= 60, \
             42 <= --tx-len <= 1500",
        ));
    }
    Ok(o)
}

/// CPU time of this (single-threaded) process in seconds; 0 if schedstat is unavailable.
fn cpu_now() -> f64 {
    std::fs::read_to_string("/proc/thread-self/schedstat")
        .ok()
        .and_then(|s| s.split_whitespace().next()?.parse::<u64>().ok())
        .map_or(0.0, |ns| ns as f64 / 1e9)
}

/// The measured window: after `warmup`, for `duration`.
struct Window {
    start: Instant,
    warm: Duration,
    end: Duration,
    t0: Option<(Instant, f64, u64)>,
    iter: u32,
    poll: bool,
}

impl Window {
    fn new(o: &Opts) -> Window {
        Window {
            start: Instant::now(),
            warm: Duration::from_secs_f64(o.warmup),
            end: Duration::from_secs_f64(o.warmup + o.duration),
            t0: None,
            iter: 0,
            poll: o.poll,
        }
    }

    /// Looks at the clock every 256 steps, and in poll mode on every idle one (it slept);
    /// false when done.
    #[inline]
    fn go_on(&mut self, idle: bool, total: u64) -> bool {
        self.iter = self.iter.wrapping_add(1);
        let look = self.iter.is_multiple_of(256) || (self.poll && idle);
        if !look {
            return true;
        }
        let el = self.start.elapsed();
        if self.t0.is_none() && el >= self.warm {
            self.t0 = Some((Instant::now(), cpu_now(), total));
        }
        el < self.end
    }

    fn report(&self, mode: &str, total: u64) {
        let (t, c, p) = self.t0.unwrap_or((Instant::now(), cpu_now(), total));
        let secs = t.elapsed().as_secs_f64().max(1e-9);
        let pkts = total - p;
        let cpu = cpu_now() - c;
        let cpu_ns = if pkts > 0 {
            cpu * 1e9 / pkts as f64
        } else {
            0.0
        };
        println!(
            "RESULT impl=rust mode={mode} pkts={pkts} secs={secs:.3} pps={:.0} \
             cpu_ns_per_pkt={cpu_ns:.1} total_pkts={total}",
            pkts as f64 / secs
        );
    }
}

fn socket_config(o: &Opts, rx: bool) -> SocketConfig {
    SocketConfig {
        rx_size: if rx { RING } else { 0 },
        tx_size: RING,
        fill_size: 2 * RING,
        completion_size: RING,
        mode: BindMode::Copy,
        need_wakeup: !o.no_need_wakeup,
        multi_buffer: false,
        ..Default::default()
    }
}

fn rx_modes(o: &Opts) -> xsk_runtime::Result<()> {
    let cfg = XskInterfaceConfig {
        queues: Queues::List(vec![o.queue]),
        program: RedirectProgram::All,
        attach: AttachOptions {
            mode: XdpMode::Driver,
            ..AttachOptions::default()
        },
        umem: UmemConfig {
            frame_size: FRAME_SIZE,
            frame_count: FRAMES,
            ..UmemConfig::default()
        },
        socket: socket_config(o, true),
        prefill: Some(FRAMES),
        ..XskInterfaceConfig::default()
    };
    let mut xsk = XskInterface::open(&o.iface, &cfg)?;
    let umem = xsk.umem().clone();
    let mut queues = xsk.take_queues();
    let q = queues
        .first_mut()
        .ok_or_else(|| xsk_runtime::Error::invalid("no queue opened"))?;
    let sock = &mut q.socket;
    let mut w = Window::new(o);
    let mut total = 0u64;
    let mut outstanding = 0u32;
    loop {
        if o.poll && sock.rx().map_or(0, |r| r.available()) == 0 {
            sock.poll_rx(100)?;
        }
        let r = sock.rings();
        let (Some(fill), Some(rx), Some(comp), Some(tx)) = (r.fill, r.rx, r.completion, r.tx)
        else {
            return Err(xsk_runtime::Error::invalid("socket lacks a ring"));
        };
        let n = if o.mode == Mode::RxDrop {
            // RX -> fill, addresses copied slot to slot like xsk_ref.c's loop.
            let n = fill.refill_from_rx(rx, o.batch);
            if n == 0 {
                fill.wake_if_needed()?;
            }
            n
        } else {
            if outstanding > 0 {
                tx.kick_if_needed()?;
                let mut cb = comp.peek(o.batch);
                let mut fb = fill.reserve(cb.len());
                let mut done = 0;
                for f in cb.by_ref().take(fb.len() as usize) {
                    let _ = fb.push(f);
                    done += 1;
                }
                fb.submit();
                cb.release();
                outstanding -= done;
            }
            let mut rb = rx.recv(o.batch);
            let n = rb.len();
            if n == 0 {
                drop(rb);
                fill.wake_if_needed()?;
                0
            } else {
                let mut tb = tx.reserve(n);
                let mut sent = 0;
                for mut pkt in rb.by_ref().take(tb.len() as usize) {
                    let d = umem.packet_mut(&mut pkt);
                    if d.len() >= 12 {
                        let mut mac = [0u8; 6];
                        mac.copy_from_slice(&d[..6]);
                        d.copy_within(6..12, 0);
                        d[6..12].copy_from_slice(&mac);
                    }
                    if tb.push_packet(pkt).is_ok() {
                        sent += 1;
                    }
                }
                tb.submit();
                rb.release();
                if sent < n {
                    tx.kick()?;
                }
                outstanding += sent;
                sent
            }
        };
        total += u64::from(n);
        if !w.go_on(n == 0, total) {
            break;
        }
    }
    w.report(
        if o.mode == Mode::RxDrop {
            "rxdrop"
        } else {
            "l2fwd"
        },
        total,
    );
    drop(queues);
    drop(xsk);
    Ok(())
}

/// Ethernet + IPv4 + UDP 10.77.0.2:9 -> 10.77.0.1:9 (the bench sandbox's addresses).
fn packet(len: usize) -> Vec<u8> {
    let mut p = vec![0u8; len];
    p[..6].copy_from_slice(&[2, 0, 0, 0, 0, 1]);
    p[6..12].copy_from_slice(&[2, 0, 0, 0, 0, 2]);
    p[12] = 0x08;
    p[14] = 0x45;
    let ip_len = (len - 14) as u16;
    p[16..18].copy_from_slice(&ip_len.to_be_bytes());
    p[22] = 64;
    p[23] = 17;
    p[26..30].copy_from_slice(&[10, 77, 0, 2]);
    p[30..34].copy_from_slice(&[10, 77, 0, 1]);
    p[35] = 9;
    p[37] = 9;
    p[38..40].copy_from_slice(&(ip_len - 20).to_be_bytes());
    p
}

fn txonly(o: &Opts) -> xsk_runtime::Result<()> {
    let ifindex = xsk_runtime::os::if_nametoindex(&o.iface)?;
    let (umem, mut free) = Umem::new(&UmemConfig {
        frame_size: FRAME_SIZE,
        frame_count: FRAMES,
        ..UmemConfig::default()
    })?;
    let mut sock = XskSocket::bind(&umem, ifindex, o.queue, &socket_config(o, false))?;
    let pkt = packet(o.tx_len as usize);
    let mut frames = Vec::with_capacity(free.len());
    while let Some(mut f) = free.pop() {
        umem.frame_mut(&mut f)[..pkt.len()].copy_from_slice(&pkt);
        frames.push(f);
    }
    for f in frames {
        let _ = free.push(f);
    }
    let mut w = Window::new(o);
    let mut total = 0u64;
    loop {
        let r = sock.rings();
        let (Some(comp), Some(tx)) = (r.completion, r.tx) else {
            return Err(xsk_runtime::Error::invalid("socket lacks a ring"));
        };
        let n = comp.complete_into(&mut free, o.batch);
        total += u64::from(n);
        if free.len() >= o.batch as usize {
            let mut tb = tx.reserve(o.batch);
            while tb.remaining() > 0 {
                let Some(f) = free.pop() else { break };
                if let Err(f) = tb.push(f, 0, o.tx_len) {
                    let _ = free.push(f);
                    break;
                }
            }
            tb.submit();
        }
        tx.kick_if_needed()?;
        if !w.go_on(n == 0, total) {
            break;
        }
    }
    w.report("txonly", total);
    Ok(())
}

fn main() -> ExitCode {
    let o = match parse() {
        Ok(o) => o,
        Err(e) => {
            let _ = e.print();
            return ExitCode::from(u8::try_from(e.exit_code()).unwrap_or(2));
        }
    };
    let r = match o.mode {
        Mode::TxOnly => txonly(&o),
        _ => rx_modes(&o),
    };
    match r {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("bench-xsk: {e}");
            ExitCode::FAILURE
        }
    }
}
