//! The ring buffer consumed on tokio (`--features tokio`): an XDP program writes one event per
//! run with `bpf_ringbuf_output`, driven by `BPF_PROG_TEST_RUN` on the blocking pool (no
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

use ebpf_dsl_macros::{defmap, defprogram};
use xsk_runtime::async_io::AsyncRingBuf;
use xsk_runtime::Loader;

defmap! {
    /// Events: {sequence number, packet length}.
    EVENTS: ringbuf(max_entries = 65536);
    /// [next sequence number, runs that found the ring full].
    STATE: array(key = u32, value = [u64; 2], max_entries = 1);
}

defprogram! {
    /// One 16-byte event per packet; the sequence number advances only when it went in.
    TELL: xdp {
        r6 = r1;
        r1 = 0;
        *(u32 *)(r10 - 4) = r1;
        r2 = r10;
        r2 += -4;
        r1 = STATE ll;
        call bpf_map_lookup_elem;
        if r0 == 0 goto out;
        r7 = r0;
        r8 = *(u64 *)(r7 + 0);
        *(u64 *)(r10 - 24) = r8;
        r2 = *(u32 *)(r6 + 0);
        r3 = *(u32 *)(r6 + 4);
        r3 -= r2;
        *(u64 *)(r10 - 16) = r3;
        r1 = EVENTS ll;
        r2 = r10;
        r2 += -24;
        r3 = 16;
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
    let mut loaded = Loader::new().program(TELL).load()?;
    let mut events = AsyncRingBuf::new(loaded.map(&EVENTS)?)?;
    let state = loaded.map(&STATE)?;
    let prog = loaded.take_program("tell")?;
    let producer = tokio::task::spawn_blocking(move || -> xsk_runtime::Result<()> {
        let packet = [0u8; 60];
        let mut left = runs;
        while left > 0 {
            let n = left.min(1000);
            prog.test_run(&packet, n)?;
            left -= n;
        }
        Ok(())
    });
    let mut next = 0u64;
    let mut bad = None;
    let mut check = |r: &[u8]| {
        let seq = u64::from_ne_bytes(r[..8].try_into().unwrap_or_default());
        let len = u64::from_ne_bytes(r[8..16].try_into().unwrap_or_default());
        if (seq, len) != (next, 60) && bad.is_none() {
            bad = Some(format!(
                "event {seq} (length {len}) where {next} (60) was due"
            ));
        }
        next = seq + 1;
    };
    while !producer.is_finished() {
        // Wake at least every 100 ms to notice the producer's end.
        let _ = tokio::time::timeout(Duration::from_millis(100), events.poll(&mut check)).await;
    }
    producer
        .await
        .map_err(|e| xsk_runtime::Error::invalid(format!("the producer task failed: {e}")))??;
    events.get_mut().consume(&mut check)?;
    let [written, full] = state.get(0)?;
    println!("{next} events read of {written} written; {full} of {runs} runs found the ring full");
    if let Some(bad) = bad {
        return Err(xsk_runtime::Error::invalid(bad));
    }
    if next != written {
        return Err(xsk_runtime::Error::invalid(format!(
            "{written} events written, {next} read"
        )));
    }
    Ok(())
}
