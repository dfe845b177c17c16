//! The benchmark examples in their sandbox (`xsk-rxdrop`, `xsk-txonly`, `xsk-l2fwd`, one
//! queue or as `Workers`) and `bench-ringbuf`: exit status, `RESULT` line and the frame
//! counts of both veth ends.

use crate::common::{run, Run, ONE_AT_A_TIME};

/// bench-ringbuf reads every event its program wrote, in order (it exits non-zero
/// otherwise), and every run either wrote an event or found the ring full.
pub fn ringbuf_bench_reads_every_event() {
    let r = run(
        env!("CARGO_BIN_EXE_bench-ringbuf"),
        &["--events", "20000", "--repeat", "500"],
    );
    r.ok();
    assert_eq!(
        r.result_num("events") + r.result_num("full"),
        20000.0,
        "{}",
        r.stdout
    );
    assert!(r.result_num("events") > 0.0, "{}", r.stdout);
}

fn bench(bin: &str) -> Run {
    bench_with(bin, &[])
}

fn bench_with(bin: &str, extra: &[&str]) -> Run {
    let _one = ONE_AT_A_TIME.lock().unwrap_or_else(|e| e.into_inner());
    let mut args = vec!["--duration", "1", "--warmup", "0.2", "--batch", "32"];
    args.extend_from_slice(extra);
    let r = run(bin, &args);
    r.ok().sandbox_removed();
    // The receiving modes' sandboxes feed the left end with the generator (txonly's sends
    // itself): its engine is the one this kernel's probe allows.
    if !bin.ends_with("xsk-txonly") {
        r.engine("(engine: ");
    }
    assert!(r.result_num("pps") > 0.0);
    assert!(r.result_num("pkts") > 0.0);
    assert!(r.result_num("total_pkts") >= r.result_num("pkts"));
    assert!(r.result_num("cpu_ns_per_pkt") > 0.0);
    r
}

pub fn rxdrop_receives() {
    let r = bench(env!("CARGO_BIN_EXE_xsk-rxdrop"));
    assert!(r.stdout.contains("RESULT impl=rust mode=rxdrop "));
    // Every frame the program received came through the left end, which got no more than
    // the generator sent (the rest dropped by the counted full ring). The generator stops
    // before the program detaches, so no frame reaches the left end's stack (which would
    // answer on the veth).
    let (right, left) = (r.counters("right"), r.counters("left"));
    let sent = r.sandbox_num("sandbox: the generator sent ");
    let received = r.result_num("total_pkts") as u64;
    assert!(
        received > 0 && received <= right.tx_packets,
        "{received} {right:?}"
    );
    assert!(
        right.tx_packets + right.tx_dropped <= sent,
        "{sent} {right:?}"
    );
    assert_eq!(
        left.rx_packets, right.tx_packets,
        "both ends count the same frames"
    );
}

/// Every frame xsk-txonly saw completed reached the far end's sink or was dropped by the veth
/// and counted there: a veth whose peer's ring is full drops the frame (counted in the sending
/// end's `tx_dropped`) yet AF_XDP completes it, as 6.1's `veth_xmit` does; kernels that push
/// back (`NETDEV_TX_BUSY`, 6.12's Debian build included) drop none. Frames still in flight when
/// the run stopped may arrive without being counted completed: at most the UMEM's frames.
pub fn txonly_sends_and_the_far_end_counts_it() {
    const FRAMES: u64 = 4096;
    let r = bench_with(
        env!("CARGO_BIN_EXE_xsk-txonly"),
        &["--frames", &FRAMES.to_string()],
    );
    assert!(r.stdout.contains("RESULT impl=rust mode=txonly "));
    let counted = r.sandbox_num("sandbox: the sink on the right end counted ");
    let completed = r.result_num("total_pkts") as u64;
    // The sink saw every frame that reached the right end: each one the left end sent (a
    // frame dropped on a full ring is counted in the left end's tx_dropped instead).
    let (right, left) = (r.counters("right"), r.counters("left"));
    assert_eq!(counted, right.rx_packets, "{right:?}");
    assert_eq!(counted, left.tx_packets, "{left:?}");
    let dropped = left.tx_dropped;
    if dropped == 0 {
        println!("branch: no frame dropped by the veth: every completed frame arrived");
    } else {
        println!(
            "branch: the veth dropped {dropped} frames on its peer's full ring (left tx_dropped): \
             completed {completed} <= arrived {counted} + dropped {dropped}"
        );
    }
    assert!(
        completed <= counted + dropped,
        "a completed frame neither arrived nor was counted dropped: completed {completed}, \
         arrived {counted}, dropped {dropped}"
    );
    assert!(
        counted + dropped <= completed + FRAMES,
        "more frames left than were completed or in flight: completed {completed}, \
         arrived {counted}, dropped {dropped}"
    );
}

pub fn l2fwd_forwards_back() {
    let r = bench(env!("CARGO_BIN_EXE_xsk-l2fwd"));
    assert!(r.stdout.contains("RESULT impl=rust mode=l2fwd "));
    assert!(r
        .stderr
        .contains("sandbox: the sink on the right end counted "));
    // l2fwd drains its TX ring before it closes: everything it forwarded was sent, and the
    // far end's sink counted each frame that was not dropped on the way (a full ring, counted
    // by the left end).
    let forwarded = r.result_num("total_pkts") as u64;
    assert!(forwarded > 0, "l2fwd forwarded nothing");
    assert!(
        r.stdout.contains(&format!(
            "xsk-l2fwd: forwarded {forwarded} frames, {forwarded} of them completed"
        )),
        "{}",
        r.stdout
    );
    let counted = r.sandbox_num("sandbox: the sink on the right end counted ");
    let (right, left) = (r.counters("right"), r.counters("left"));
    assert_eq!(counted + left.tx_dropped, forwarded, "{left:?}");
    assert_eq!(counted, right.rx_packets, "{right:?}");
    // What it forwarded it had received from the left end; frames its socket had no room
    // for are counted there as dropped.
    assert!(forwarded + left.rx_dropped <= left.rx_packets, "{left:?}");
    let sent = r.sandbox_num("sandbox: the generator sent ");
    assert!(
        right.tx_packets + right.tx_dropped <= sent,
        "{sent} {right:?}"
    );
}

/// `--queues 1 --cpus 1`: the one queue runs as a `Workers` thread (the scaling benchmark's
/// path); rxdrop receives, l2fwd forwards back what the far end's sink counts, every frame
/// completed before the socket closed. `--queues 2` needs `--iface` (a usage error).
pub fn rxdrop_and_l2fwd_as_workers() {
    let r = bench_with(
        env!("CARGO_BIN_EXE_xsk-rxdrop"),
        &["--queues", "1", "--cpus", "1"],
    );
    assert!(r.stdout.contains("one worker per queue"), "{}", r.stdout);
    assert!(r.stdout.contains("RESULT impl=rust mode=rxdrop "));
    assert!(
        r.stderr.contains("rxdrop: queue 0 (CPU 1): rx "),
        "{}",
        r.stderr
    );
    let (right, left) = (r.counters("right"), r.counters("left"));
    let received = r.result_num("total_pkts") as u64;
    assert!(
        received > 0 && received <= right.tx_packets,
        "{received} {right:?}"
    );
    assert_eq!(left.rx_packets, right.tx_packets);

    let r = bench_with(
        env!("CARGO_BIN_EXE_xsk-l2fwd"),
        &["--queues", "1", "--cpus", "1"],
    );
    assert!(r.stdout.contains("RESULT impl=rust mode=l2fwd "));
    let forwarded = r.result_num("total_pkts") as u64;
    assert!(forwarded > 0, "l2fwd forwarded nothing");
    let counted = r.sandbox_num("sandbox: the sink on the right end counted ");
    let (right, left) = (r.counters("right"), r.counters("left"));
    assert_eq!(counted + left.tx_dropped, forwarded, "{left:?}");
    assert_eq!(counted, right.rx_packets, "{right:?}");

    let r = run(env!("CARGO_BIN_EXE_xsk-rxdrop"), &["--queues", "2"]);
    assert_eq!(r.code, Some(2), "{}", r.stderr);
    assert!(r.stderr.contains("--queues needs --iface"), "{}", r.stderr);
    let r = run(
        env!("CARGO_BIN_EXE_xsk-l2fwd"),
        &["--queues", "1", "--cpus", "0,1"],
    );
    assert_eq!(r.code, Some(2), "{}", r.stderr);
}
