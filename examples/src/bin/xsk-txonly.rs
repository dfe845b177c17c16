//! `xsk-txonly`: the classic AF_XDP transmit benchmark. Every UMEM frame holds the same UDP
//! packet; batches of frames go to the TX ring, the completion ring gives them back. Counts
//! completed frames; prints pps each second and a `RESULT` line. Without `--iface` it makes a
//! sandbox whose far end counts the arriving packets with an `XDP_DROP` sink.

use xsk_examples::bench::{bench_args, bench_opts, socket_summary, Clock, Net};
use xsk_examples::packet::udp_frame;
use xsk_examples::signals::Stop;
use xsk_examples::{require_root, run_main, Context, Error, Result};
use xsk_runtime::socket::XskSocket;
use xsk_runtime::umem::{Umem, UmemConfig};

const NAME: &str = "xsk-txonly";

fn main() -> std::process::ExitCode {
    run_main(NAME, run)
}

fn run() -> Result<()> {
    let args = bench_args(
        NAME,
        "send one UDP packet over and over from an AF_XDP socket; print pps",
    )?;
    let opts = bench_opts(&args)?;
    if opts.workers() {
        return Err(Error::Usage(
            "--queues and --cpus are for xsk-rxdrop and xsk-l2fwd; xsk-txonly sends on one queue"
                .into(),
        ));
    }
    require_root(NAME)?;
    let stop = Stop::install()?;
    let net = Net::new("txonly", &opts, true)?;
    let (umem, mut free) = Umem::new(&UmemConfig {
        frame_count: opts.frames,
        ..Default::default()
    })
    .context("creating the UMEM")?;
    let mut sock = XskSocket::bind_name(
        &umem,
        &net.iface,
        opts.queue,
        &opts.socket_config(false, true),
    )
    .context(format!(
        "binding an AF_XDP socket to {} queue {}",
        net.iface, opts.queue
    ))?;
    if let Some(b) = opts.busy() {
        sock.set_busy_poll(&b)
            .context("setting busy-poll options")?;
    }
    // The same packet in every frame.
    let pkt = udp_frame(&net.flow, &vec![0u8; opts.tx_len - 42]);
    let mut frames = Vec::with_capacity(free.len());
    while let Some(mut f) = free.pop() {
        let buf = umem.frame_mut(&mut f);
        let n = pkt.len().min(buf.len());
        buf[..n].copy_from_slice(&pkt[..n]);
        frames.push(f);
    }
    for f in frames {
        let _ = free.push(f);
    }
    let len = pkt.len() as u32;
    println!(
        "{NAME}: {}), {len}-byte frames {}:9 -> {}:9",
        socket_summary(&net, &opts, &sock),
        net.flow.src_ip,
        net.flow.dst_ip
    );
    let mut clock = Clock::new("txonly", &opts, net.standalone());
    let mut total = 0u64;
    loop {
        let rings = sock.rings();
        let (Some(comp), Some(tx)) = (rings.completion, rings.tx) else {
            return Err(Error::Failed(
                "the socket has no completion or TX ring".into(),
            ));
        };
        let done = comp.complete_into(&mut free, opts.batch);
        total += u64::from(done);
        if free.len() >= opts.batch as usize {
            let mut b = tx.reserve(opts.batch);
            while b.remaining() > 0 {
                let Some(f) = free.pop() else { break };
                if let Err(f) = b.push(f, 0, len) {
                    let _ = free.push(f);
                    break;
                }
            }
            b.submit();
        }
        tx.kick_if_needed().context("sendto(AF_XDP) TX kick")?;
        if opts.poll && done == 0 {
            sock.poll_tx(100).context("poll(AF_XDP socket)")?;
        }
        if !clock.step(total, done == 0, &stop) {
            break;
        }
    }
    // Stopped during the warm-up: say so (after cleaning up) and exit non-zero.
    let result = clock.finish(total);
    if let Ok(line) = &result {
        println!("{line}");
    }
    drop(sock);
    net.finish()?;
    result.map(drop)
}
