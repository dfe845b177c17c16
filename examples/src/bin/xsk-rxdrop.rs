//! `xsk-rxdrop`: the classic AF_XDP receive benchmark. Every packet of one queue is redirected
//! to an AF_XDP socket (the guides' redirect-by-queue program, `XskInterface`), received, and
//! its frame handed straight back to the fill ring. Prints pps each second and a `RESULT`
//! line. Without `--iface` it makes a sandbox with a live-frames generator. With `--queues N`
//! (and `--cpus LIST`) it runs one `Workers` thread per queue, each doing the same loop.

use xsk_examples::bench::{
    bench_args, bench_opts, first_queue, open_rx_interface, socket_summary, Clock, Net,
};
use xsk_examples::multiqueue::{self, Count};
use xsk_examples::signals::Stop;
use xsk_examples::{require_root, run_main, Context, Error, Result};

const NAME: &str = "xsk-rxdrop";

fn main() -> std::process::ExitCode {
    run_main(NAME, run)
}

fn run() -> Result<()> {
    let args = bench_args(
        NAME,
        "receive and drop packets on an AF_XDP socket; print pps",
    )?;
    let opts = bench_opts(&args)?;
    require_root(NAME)?;
    let stop = Stop::install()?;
    let mut net = Net::new("rxdrop", &opts, false)?;
    let prefill = opts.frames.min(opts.ring * 2);
    let mut xi = open_rx_interface(&mut net, &opts, false, prefill)?;
    if opts.workers() {
        println!(
            "{NAME}: {} queue(s) {}..{} (copy mode unless asked, batch {}), one worker per queue{}",
            net.iface,
            opts.queue,
            opts.queue + opts.queues,
            opts.batch,
            if opts.poll { ", poll()" } else { "" }
        );
        let (batch, poll, busy) = (opts.batch, opts.poll, opts.busy_poll);
        let result = multiqueue::run("rxdrop", &mut xi, &opts, &stop, Count::Rx, move |ctx| {
            while !ctx.should_stop() {
                if poll && ctx.queue().socket.rx().map_or(0, |r| r.available()) == 0 {
                    ctx.wait_rx(100)?;
                }
                let rings = ctx.queue().socket.rings();
                let (Some(fill), Some(rx)) = (rings.fill, rings.rx) else {
                    return Err(xsk_runtime::Error::invalid("no fill or RX ring"));
                };
                // The same batch-level recycle as the single-queue loop below.
                let n = fill.refill_from_rx(rx, batch);
                if n == 0 {
                    let woke = if busy {
                        fill.wake().map(|()| true)?
                    } else {
                        fill.wake_if_needed()?
                    };
                    if woke {
                        ctx.count_wakeup();
                    }
                } else {
                    ctx.count_rx(u64::from(n), 0);
                }
            }
            Ok(())
        });
        net.stop_generator()?;
        drop(xi);
        net.finish()?;
        return result;
    }
    let q = first_queue(&mut xi, &opts)?;
    println!(
        "{NAME}: {}){}",
        socket_summary(&net, &opts, &q.socket),
        if opts.poll { ", poll()" } else { "" }
    );
    let mut clock = Clock::new("rxdrop", &opts, net.standalone());
    let mut total = 0u64;
    let busy = opts.busy_poll;
    loop {
        if opts.poll {
            let rx = q.socket.rx().map_or(0, |r| r.available());
            if rx == 0 {
                q.socket.poll_rx(100).context("poll(AF_XDP socket)")?;
            }
        }
        let rings = q.socket.rings();
        let (Some(fill), Some(rx)) = (rings.fill, rings.rx) else {
            return Err(Error::Failed("the socket has no fill or RX ring".into()));
        };
        // Receive a batch and hand its frames straight back to the fill ring, slot to slot
        // (one UMEM check per batch, no RxPacket per packet): libxdp's rxdrop loop.
        let n = fill.refill_from_rx(rx, opts.batch);
        if n > 0 {
            total += u64::from(n);
        } else if busy {
            fill.wake().context("recvfrom(AF_XDP) busy-poll")?;
        } else {
            fill.wake_if_needed().context("recvfrom(AF_XDP) wake-up")?;
        }
        if !clock.step(total, n == 0, &stop) {
            break;
        }
    }
    // Stopped during the warm-up: no RESULT (nothing was measured); exit non-zero after
    // cleaning up.
    let result = clock.finish(total);
    if let Ok(line) = &result {
        println!("{line}");
    }
    if let Ok(s) = q.socket.statistics() {
        eprintln!(
            "{NAME}: kernel statistics: rx_dropped={} rx_ring_full={} rx_fill_ring_empty={}",
            s.rx_dropped, s.rx_ring_full, s.rx_fill_ring_empty_descs
        );
    }
    net.stop_generator()?;
    drop(xi);
    net.finish()?;
    result.map(drop)
}
