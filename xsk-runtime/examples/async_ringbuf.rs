//! The ring buffer consumed on tokio (`--features tokio`): an XDP program writes one event per
//! run with `bpf_ringbuf_output` (the workspace's shared producer, `xsk_testkit::seqring`:
//! `{seq, 3 * seq}` records), driven by `BPF_PROG_TEST_RUN` on the blocking pool (no
//! interface, no traffic), while an async task reads the events as they come and checks their
//! sequence numbers. Needs root (CAP_BPF).
//!
//! ```text
//! sudo cargo run -p xsk-runtime --features tokio --example async_ringbuf -- [RUNS]
//! ```
//!
//! Prints how many events were read and how many runs found the ring full; exits 1 if an
//! event was lost, repeated or out of order.

use std::time::Duration;

use xsk_runtime::async_io::AsyncRingBuf;
use xsk_testkit::seqring::{SeqCheck, SeqProducer, PACKET};

#[tokio::main(flavor = "current_thread")]
async fn main() {
    let runs: u32 = match std::env::args().nth(1).map(|a| a.parse()) {
        None => 100_000,
        Some(Ok(n)) if n > 0 => n,
        Some(_) => {
            eprintln!("usage: async_ringbuf [RUNS]  (RUNS: a positive number, default 100000)");
            std::process::exit(2);
        }
    };
    if let Err(e) = run(runs).await {
        eprintln!("async_ringbuf: {e}");
        std::process::exit(1);
    }
}

async fn run(runs: u32) -> xsk_runtime::Result<()> {
    // The workspace's shared producer: one {seq, 3 * seq} record per run, a 64 KiB ring.
    let (producer, ring) = SeqProducer::load(65536)?;
    let mut events = AsyncRingBuf::new(ring)?;
    let producer = tokio::task::spawn_blocking(move || -> xsk_runtime::Result<SeqProducer> {
        let mut left = runs;
        while left > 0 {
            let n = left.min(1000);
            producer.program().test_run(&PACKET, n)?;
            left -= n;
        }
        Ok(producer)
    });
    let mut seen = SeqCheck::default();
    let mut check = |r: &[u8]| seen.record(r);
    while !producer.is_finished() {
        // Wake at least every 100 ms to notice the producer's end.
        let _ = tokio::time::timeout(Duration::from_millis(100), events.poll(&mut check)).await;
    }
    let producer = producer
        .await
        .map_err(|e| xsk_runtime::Error::invalid(format!("the producer task failed: {e}")))??;
    events.get_mut().consume(&mut check)?;
    let (written, full) = producer.counts()?;
    println!(
        "{} events read of {written} written; {full} of {runs} runs found the ring full",
        seen.read()
    );
    seen.verify(written)
}
