//! `bench-ringbuf`: ours' side of the ring buffer benchmark (`bench/run.sh`, workload
//! `ringbuf`; the C side is `bench/c/ringbuf_ref.c` on libbpf's `ring_buffer`).
//!
//! The workspace's shared ring buffer producer (`xsk_testkit::seqring::SEQ_OUT`: one 16-byte
//! record `{seq, 3 * seq}` per run with `bpf_ringbuf_output`, flags 0) in a 256 KiB ring; a
//! producer thread pinned to `--producer-cpu` runs it with `BPF_PROG_TEST_RUN` in calls of
//! `--repeat` runs until `--events` runs are done; the main thread, pinned to
//! `--consumer-cpu`, reads the ring with `RingBuf::poll` (epoll wake-ups; the shared reader
//! loop, `seqring::produce_while_consuming`) and checks that the records come in order, none
//! lost, repeated or torn. With `--work N` the consumer also does N rounds of a fixed
//! arithmetic chain per record (xorshift64*, the same in `bench/c/ringbuf_ref.c -W N`); with
//! `--busy` the program writes with `BPF_RB_NO_WAKEUP` and the consumer spins on
//! `RingBuf::consume` (`ringbuf_ref -B`): with large `--repeat` calls (the producer's speed is
//! bound by a fixed cost per `BPF_PROG_TEST_RUN` call, not per run), the consumer is the
//! bottleneck and the ring fills. Prints
//! `RESULT impl=ours events=N full=F secs=S eps=E consumer_cpu_ns_per_event=C`: `full` counts
//! runs that found the ring full (not events lost: those were never written).

use std::time::{Duration, Instant};

use clap::Parser;
use nix::sys::resource::{getrusage, UsageWho};
use xsk_examples::{args, require_root, run_main, Context, Error, Result};
use xsk_testkit::seqring::{
    pin, produce_while_consuming, ProduceOptions, SeqCheck, SeqProducer, BPF_RB_NO_WAKEUP,
};

const NAME: &str = "bench-ringbuf";

/// The ring's size: 256 KiB (as the C side's).
const RING_BYTES: u32 = 262_144;

/// ring buffer events per second and consumer CPU per event (BPF_PROG_TEST_RUN producer)
#[derive(Debug, Parser)]
#[command(name = NAME)]
struct Cli {
    /// program runs in all (each writes one event unless the ring is full)
    #[arg(short = 'n', long, value_name = "N", default_value = "5000000")]
    events: u64,
    /// runs per BPF_PROG_TEST_RUN call
    #[arg(short, long, value_name = "N", default_value = "1000")]
    repeat: u32,
    /// CPU of the producer thread
    #[arg(short = 'P', long, value_name = "CPU", default_value = "0")]
    producer_cpu: usize,
    /// CPU of the consumer (this thread)
    #[arg(short = 'C', long, value_name = "CPU", default_value = "1")]
    consumer_cpu: usize,
    /// rounds of per-record work in the consumer (0: none)
    #[arg(short = 'W', long, value_name = "N", default_value = "0")]
    work: u32,
    /// the program writes with BPF_RB_NO_WAKEUP and the consumer spins on RingBuf::consume
    /// instead of sleeping in RingBuf::poll (with --work: the consumer-bound variant)
    #[arg(short = 'B', long)]
    busy: bool,
}

/// The consumer's per-record work: `n` rounds of xorshift64* on `x` (a dependent chain, so
/// the same instructions cost the same time in any compiler's hands).
#[inline]
fn work(mut x: u64, n: u32) -> u64 {
    for _ in 0..n {
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        x = x.wrapping_mul(0x2545_f491_4f6c_dd1d);
    }
    x
}

fn main() -> std::process::ExitCode {
    run_main(NAME, run)
}

fn thread_cpu() -> Result<Duration> {
    let ru =
        getrusage(UsageWho::RUSAGE_THREAD).map_err(|e| Error::Failed(format!("getrusage: {e}")))?;
    let us = |t: nix::sys::time::TimeVal| t.tv_sec() as u64 * 1_000_000 + t.tv_usec() as u64;
    Ok(Duration::from_micros(
        us(ru.user_time()) + us(ru.system_time()),
    ))
}

fn run() -> Result<()> {
    let args: Cli = args::parse()?;
    if args.events == 0 || args.repeat == 0 {
        return Err(Error::Usage(
            "--events and --repeat must be at least 1".into(),
        ));
    }
    require_root(NAME)?;
    let (producer, mut ring) =
        SeqProducer::load(RING_BYTES).context("loading the ring buffer program")?;
    if args.busy {
        producer
            .set_flags(BPF_RB_NO_WAKEUP)
            .context("setting the program's flags")?;
    }
    pin(args.consumer_cpu);
    let opts = ProduceOptions {
        busy: args.busy,
        calls: args.events.div_ceil(u64::from(args.repeat)),
        repeat: args.repeat,
        producer_cpu: Some(args.producer_cpu),
        poll_timeout: Duration::from_millis(100),
        deadline: Duration::from_secs(600),
    };
    let mut check = SeqCheck::default();
    let mut acc = 0u64;
    let rounds = args.work;
    let cpu0 = thread_cpu()?;
    let t0 = Instant::now();
    produce_while_consuming(producer.program(), &mut ring, &opts, |r| {
        check.record(r);
        if rounds > 0 {
            acc = work(acc ^ u64::from(r[0]), rounds);
        }
    })
    .context("producing and reading the ring buffer")?;
    let secs = t0.elapsed().as_secs_f64();
    let cpu = thread_cpu()?.saturating_sub(cpu0);
    let (written, full) = producer.counts().context("reading SEQ_STATE")?;
    check
        .verify(written)
        .map_err(|e| Error::Failed(e.to_string()))?;
    let next = check.read();
    if rounds > 0 {
        eprintln!("{NAME}: work result {acc:#x}");
    }
    println!(
        "RESULT impl=ours events={next} full={full} secs={secs:.3} eps={:.0} consumer_cpu_ns_per_event={:.1}",
        next as f64 / secs,
        cpu.as_nanos() as f64 / next.max(1) as f64
    );
    Ok(())
}
