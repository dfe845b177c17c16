//! `--queues N` (and `--cpus LIST`) of `xsk-rxdrop` and `xsk-l2fwd`: the interface's sockets
//! handed to [`Workers`], one thread per queue pinned to its CPU, while the main thread keeps
//! the clock on the summed counters and prints the same `RESULT` line as the single-queue loop
//! (CPU: the whole process, every worker thread included), then one line per queue.

use std::time::Duration;

use xsk_runtime::xsk::{QueueStats, WorkerContext, Workers, WorkersConfig, XskInterface};

use crate::bench::{BenchOpts, Clock};
use crate::error::{Context, Result};
use crate::signals::Stop;

/// Which counter of [`QueueStats`] is the benchmark's packet count.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Count {
    /// Packets received (rxdrop).
    Rx,
    /// Packets sent (l2fwd).
    Tx,
}

/// The CPUs of the workers: `--cpus`, else queue `i` on CPU `i` (modulo the CPUs there are).
pub fn worker_cpus(opts: &BenchOpts) -> Vec<usize> {
    if !opts.cpus.is_empty() {
        return opts.cpus.clone();
    }
    let n = std::thread::available_parallelism().map_or(1, |n| n.get());
    (0..opts.queues as usize).map(|i| i % n).collect()
}

fn total(stats: &[QueueStats], count: Count) -> u64 {
    stats
        .iter()
        .map(|s| match count {
            Count::Rx => s.rx_packets,
            Count::Tx => s.tx_packets,
        })
        .sum()
}

/// Runs `worker` on every queue of `xi` (see the module docs) for the warm-up and the measured
/// time of `opts`, or until `stop`; prints the per-second lines, the `RESULT` line (`mode`)
/// and each queue's statistics. A worker's error (or panic) is this run's error.
pub fn run<F>(
    mode: &'static str,
    xi: &mut XskInterface,
    opts: &BenchOpts,
    stop: &Stop,
    count: Count,
    worker: F,
) -> Result<()>
where
    F: Fn(&mut WorkerContext<'_>) -> xsk_runtime::Result<()> + Send + Sync + 'static,
{
    let cpus = worker_cpus(opts);
    let workers = Workers::spawn(xi, &WorkersConfig { cpus: cpus.clone() }, worker)
        .context(format!("starting one worker per queue on CPUs {cpus:?}"))?;
    // The process' CPU time counts: the workers are threads of it.
    let mut clock = Clock::new(mode, opts, false);
    loop {
        std::thread::sleep(Duration::from_millis(5));
        let now = total(&workers.stats(), count);
        if workers.all_finished() || !clock.step(now, true, stop) {
            break;
        }
    }
    // The window ends when the workers have stopped: its count is their final one.
    let finished = workers.join().context("a worker")?;
    let result = clock.finish(total(&finished.stats, count));
    let line = result?;
    println!("{line}");
    for s in &finished.stats {
        eprintln!(
            "{mode}: queue {} (CPU {}): rx {} tx {} wake-ups {} rx_dropped {} rx_ring_full {} \
             fill_ring_empty {}",
            s.queue,
            s.cpu.map_or("-".into(), |c| c.to_string()),
            s.rx_packets,
            s.tx_packets,
            s.wakeups,
            s.rx_dropped,
            s.rx_ring_full,
            s.rx_fill_ring_empty
        );
    }
    Ok(())
}
