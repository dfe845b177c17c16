//! `bench-ringbuf`: ours' side of the ring buffer benchmark (`bench/run.sh`, workload
//! `ringbuf`; the C side is `bench/c/ringbuf_ref.c` on libbpf's `ring_buffer`).
//!
//! An XDP program writes one 8-byte event (a sequence number) per run with
//! `bpf_ringbuf_output`; a producer thread pinned to `--producer-cpu` runs it with
//! `BPF_PROG_TEST_RUN` in calls of `--repeat` runs until `--events` runs are done; the main
//! thread, pinned to `--consumer-cpu`, reads the ring with [`RingBuf::poll`] (epoll wake-ups)
//! and checks that the sequence numbers come in order, none lost or repeated. Prints
//! `RESULT impl=ours events=N full=F secs=S eps=E consumer_cpu_ns_per_event=C`: `full` counts
//! runs that found the ring full (not events lost: those were never written).

use std::time::{Duration, Instant};

use clap::Parser;
use ebpf_dsl_macros::{defmap, defprogram};
use nix::sched::{sched_setaffinity, CpuSet};
use nix::sys::resource::{getrusage, UsageWho};
use nix::unistd::Pid;
use xsk_examples::{args, require_root, run_main, Context, Error, Result};
use xsk_runtime::ringbuf::RingBuf;
use xsk_runtime::Loader;

const NAME: &str = "bench-ringbuf";

defmap! {
    /// Events: a sequence number each.
    EVENTS: ringbuf(max_entries = 262144);
    /// [next sequence number, runs that found the ring full].
    STATE: array(key = u32, value = [u64; 2], max_entries = 1);
}

defprogram! {
    /// One 8-byte event per run; the sequence number advances only when it went in.
    SEQ_OUT: xdp {
        r1 = 0;
        *(u32 *)(r10 - 4) = r1;
        r2 = r10;
        r2 += -4;
        r1 = STATE ll;
        call bpf_map_lookup_elem;
        if r0 == 0 goto out;
        r7 = r0;
        r8 = *(u64 *)(r7 + 0);
        *(u64 *)(r10 - 16) = r8;
        r1 = EVENTS ll;
        r2 = r10;
        r2 += -16;
        r3 = 8;
        r4 = 0;
        call bpf_ringbuf_output;
        if r0 != 0 goto full;
        r8 += 1;
        *(u64 *)(r7 + 0) = r8;
        goto out;
    full:
        r1 = 1;
        lock *(u64 *)(r7 + 8) += r1;
    out:
        r0 = XDP_PASS;
        exit;
    }
}

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
}

fn main() -> std::process::ExitCode {
    run_main(NAME, run)
}

fn pin(cpu: usize) {
    let mut set = CpuSet::new();
    if set.set(cpu).is_ok() {
        // Best effort: an absent CPU leaves the thread where it is.
        let _ = sched_setaffinity(Pid::from_raw(0), &set);
    }
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
    let mut loaded = Loader::new()
        .program(SEQ_OUT)
        .load()
        .context("loading the ring buffer program")?;
    let state = loaded.map(&STATE).context("the STATE map")?;
    let ring = loaded.map(&EVENTS).context("the EVENTS map")?;
    let prog = loaded
        .take_program("seq_out")
        .context("the seq_out program")?;
    let mut ring: RingBuf = ring;
    let (events, repeat, pcpu) = (args.events, args.repeat, args.producer_cpu);
    pin(args.consumer_cpu);
    let cpu0 = thread_cpu()?;
    let t0 = Instant::now();
    let producer = std::thread::spawn(move || -> Result<()> {
        pin(pcpu);
        let mut done = 0u64;
        while done < events {
            let n = repeat.min(u32::try_from(events - done).unwrap_or(u32::MAX));
            prog.test_run(&[0u8; 60], n).context("BPF_PROG_TEST_RUN")?;
            done += u64::from(n);
        }
        Ok(())
    });
    let mut next = 0u64;
    let mut bad = 0u64;
    let mut check = |r: &[u8]| {
        match <[u8; 8]>::try_from(r) {
            Ok(b) if u64::from_ne_bytes(b) == next => {}
            _ => bad += 1,
        }
        next += 1;
    };
    while !producer.is_finished() {
        ring.poll(Some(Duration::from_millis(100)), &mut check)
            .context("reading the ring buffer")?;
    }
    producer
        .join()
        .map_err(|_| Error::Failed("the producer thread panicked".into()))??;
    ring.consume(&mut check)
        .context("reading the ring buffer")?;
    let secs = t0.elapsed().as_secs_f64();
    let cpu = thread_cpu()?.saturating_sub(cpu0);
    let [written, full] = state.get(0).context("reading STATE")?;
    if bad != 0 || next != written {
        return Err(Error::Failed(format!(
            "read {next} events, {bad} out of order, the program wrote {written}"
        )));
    }
    println!(
        "RESULT impl=ours events={next} full={full} secs={secs:.3} eps={:.0} consumer_cpu_ns_per_event={:.1}",
        next as f64 / secs,
        cpu.as_nanos() as f64 / next.max(1) as f64
    );
    Ok(())
}
