//! `xsk-l2fwd`: the classic AF_XDP forwarding benchmark. Every packet of one queue is received
//! on an AF_XDP socket, its MAC addresses swapped in place, and sent back out of the same
//! queue; sent frames return to the fill ring. Prints pps each second and a `RESULT` line.
//! Without `--iface` it makes a sandbox: a live-frames generator on the far end sends, and an
//! `XDP_DROP` sink there counts what comes back. With `--queues N` (and `--cpus LIST`) it runs
//! one `Workers` thread per queue, each forwarding with `WorkerContext::forward`.

use xsk_examples::bench::{
    bench_args, bench_opts, first_queue, open_rx_interface, socket_summary, Clock, Net,
};
use xsk_examples::multiqueue::{self, Count};
use xsk_examples::packet::swap_macs;
use xsk_examples::signals::Stop;
use xsk_examples::{require_root, run_main, Context, Error, Result};

const NAME: &str = "xsk-l2fwd";

fn main() -> std::process::ExitCode {
    run_main(NAME, run)
}

fn run() -> Result<()> {
    let args = bench_args(
        NAME,
        "receive on an AF_XDP socket, swap MACs, send back; print pps",
    )?;
    let opts = bench_opts(&args)?;
    require_root(NAME)?;
    let stop = Stop::install()?;
    let mut net = Net::new("l2fwd", &opts, true)?;
    // Half the frames on the fill ring, half free for the TX side's turnover.
    let prefill = (opts.frames / 2).min(opts.ring * 2);
    let mut xi = open_rx_interface(&mut net, &opts, true, prefill)?;
    if opts.workers() {
        println!(
            "{NAME}: {} queue(s) {}..{} (batch {}), one worker per queue{}",
            net.iface,
            opts.queue,
            opts.queue + opts.queues,
            opts.batch,
            if opts.poll { ", poll()" } else { "" }
        );
        let (batch, poll) = (opts.batch, opts.poll);
        let result = multiqueue::run("l2fwd", &mut xi, &opts, &stop, Count::Tx, move |ctx| {
            while !ctx.should_stop() {
                // Completions back to the fill ring first (inside forward), then sleep only
                // if nothing came: sleeping with every frame in the completion ring would
                // leave the kernel no frame to receive into.
                let n = ctx.forward(batch, |frame| {
                    swap_macs(frame);
                    true
                })?;
                if n == 0 && poll {
                    ctx.wait_rx(100)?;
                }
            }
            // What was sent is completed before the socket closes (bounded: 1 s).
            ctx.drain(std::time::Duration::from_secs(1))?;
            Ok(())
        });
        net.stop_generator()?;
        drop(xi);
        net.finish()?;
        return result;
    }
    let umem = xi.umem().clone();
    let q = first_queue(&mut xi, &opts)?;
    println!("{NAME}: {})", socket_summary(&net, &opts, &q.socket));
    let mut clock = Clock::new("l2fwd", &opts, net.standalone());
    let mut total = 0u64;
    let mut outstanding = 0u64;
    loop {
        if opts.poll && q.socket.rx().map_or(0, |r| r.available()) == 0 {
            q.socket.poll_rx(100).context("poll(AF_XDP socket)")?;
        }
        let rings = q.socket.rings();
        let (Some(fill), Some(comp), Some(rx), Some(tx)) =
            (rings.fill, rings.completion, rings.rx, rings.tx)
        else {
            return Err(Error::Failed(
                "the socket lacks one of its four rings".into(),
            ));
        };
        // Sent frames back to the kernel for receiving, first: an empty fill ring is what
        // limits l2fwd (see "Baseline facts" in BENCHMARKS.md).
        if outstanding > 0 {
            tx.kick_if_needed().context("sendto(AF_XDP) TX kick")?;
            let c = comp.complete_into(&mut q.free, opts.batch * 2);
            outstanding -= u64::from(c);
        }
        fill.fill_from(&mut q.free, opts.batch * 2);
        let mut n = 0u32;
        {
            let mut rxb = rx.recv(opts.batch);
            let mut txb = tx.reserve(rxb.len());
            for mut pkt in rxb.by_ref() {
                swap_macs(umem.packet_mut(&mut pkt));
                if let Err(p) = txb.push_packet(pkt) {
                    let _ = q.free.push(p.into_frame());
                } else {
                    n += 1;
                }
            }
            txb.submit();
            rxb.release();
        }
        if n > 0 {
            outstanding += u64::from(n);
            total += u64::from(n);
            tx.kick_if_needed().context("sendto(AF_XDP) TX kick")?;
        } else {
            fill.wake_if_needed().context("recvfrom(AF_XDP) wake-up")?;
        }
        if !clock.step(total, n == 0, &stop) {
            break;
        }
    }
    // Stopped during the warm-up: say so (after cleaning up) and exit non-zero.
    let result = clock.finish(total);
    if let Ok(line) = &result {
        println!("{line}");
    }
    // What was submitted is sent and completed before the socket closes (bounded: 1 s), so
    // the far end's count can be checked against `total`.
    let drain_until = std::time::Instant::now() + std::time::Duration::from_secs(1);
    while outstanding > 0 && std::time::Instant::now() < drain_until {
        let rings = q.socket.rings();
        let (Some(comp), Some(tx)) = (rings.completion, rings.tx) else {
            break;
        };
        tx.kick_if_needed().context("sendto(AF_XDP) TX kick")?;
        outstanding -= u64::from(comp.complete_into(&mut q.free, opts.batch * 2));
    }
    println!(
        "{NAME}: forwarded {total} frames, {} of them completed",
        total - outstanding
    );
    net.stop_generator()?;
    drop(xi);
    net.finish()?;
    result.map(drop)
}
