//! `xsk-pktgen`: an exact count, every frame accounted for, both engines, and pacing.

use crate::common::{live_frames_here, run, Run, ONE_AT_A_TIME};

pub fn pktgen_sends_exactly_the_count_and_they_arrive() {
    let _one = ONE_AT_A_TIME.lock().unwrap_or_else(|e| e.into_inner());
    let r = run(
        env!("CARGO_BIN_EXE_xsk-pktgen"),
        &["--count", "200000", "--queues", "2", "--duration", "8"],
    );
    r.ok().sandbox_removed();
    r.engine("xsk-pktgen: engine: ");
    assert_eq!(r.result_num("pkts"), 200000.0, "a count bound is exact");
    // XDP_TX into a veth whose far ring is full drops frames, so the sink sees at most all.
    let received = pktgen_received(&r);
    assert!(received > 0 && received <= 200000, "{received}");
    pktgen_accounts_for_every_frame(&r, 200_000);
    // The AF_PACKET engine asked for by name (where live frames run, the probe never picks
    // it): the same exact count and accounting.
    let r = run(
        env!("CARGO_BIN_EXE_xsk-pktgen"),
        &[
            "--engine",
            "af-packet",
            "--count",
            "100000",
            "--queues",
            "2",
            "--duration",
            "8",
        ],
    );
    r.ok().sandbox_removed();
    assert!(
        r.stdout.contains("xsk-pktgen: engine: AF_PACKET\n"),
        "{}",
        r.stdout
    );
    assert_eq!(r.result_num("pkts"), 100000.0, "a count bound is exact");
    pktgen_accounts_for_every_frame(&r, 100_000);
    // Live frames asked for by name: they run where the probe says so, and elsewhere fail
    // with the kernel's refusal and its hint.
    let r = run(
        env!("CARGO_BIN_EXE_xsk-pktgen"),
        &["--engine", "live", "--count", "1000", "--duration", "8"],
    );
    if live_frames_here() {
        r.ok().sandbox_removed();
        assert_eq!(r.result_num("pkts"), 1000.0);
        pktgen_accounts_for_every_frame(&r, 1000);
    } else {
        println!("live frames refused here: checking the error of --engine live");
        assert_eq!(r.code, Some(1), "{}", r.stderr);
        assert!(
            r.stderr.contains("live frames asked for on ifindex ")
                && r.stderr.contains("BPF_PROG_TEST_RUN(LIVE_FRAMES) failed")
                && r.stderr.contains("hint: live frames need"),
            "{}",
            r.stderr
        );
        assert!(!r.stdout.contains("RESULT "), "{}", r.stdout);
        r.namespaces_gone();
    }
}

/// Every frame an `xsk-pktgen` sandbox run sent reached the sink or was dropped by the veth
/// on a full ring (which the sending end counts as `tx_dropped`): nothing else loses frames.
fn pktgen_accounts_for_every_frame(r: &Run, sent: u64) {
    let received = pktgen_received(r);
    let right = r.counters("right");
    assert_eq!(
        received, right.tx_packets,
        "the sink saw each delivered frame"
    );
    assert_eq!(received + right.tx_dropped, sent, "{right:?}");
}

/// The sink's count in an `xsk-pktgen` sandbox run (the last `received=` tick or the summary).
fn pktgen_received(r: &Run) -> u64 {
    r.stdout
        .lines()
        .find_map(|l| {
            l.split_once(" received ")
                .and_then(|(_, t)| t.split_whitespace().next())
                .and_then(|n| n.parse().ok())
        })
        .expect("the sink's count")
}

pub fn pktgen_paces_to_the_rate() {
    let _one = ONE_AT_A_TIME.lock().unwrap_or_else(|e| e.into_inner());
    // 20 000 frames/s for 2 s: the program paces itself inside one long live-frames call (the
    // AF_PACKET engine: the thread, in user space, by the same rules).
    // A correctness bound on the pacing (no frame before its time, few lost), not a speed test:
    // `--burst 4000` lets the program catch up after its thread was descheduled for up to
    // 200 ms, so a busy machine (CI, 2 cores) does not lose frames to the scheduler.
    let r = run(
        env!("CARGO_BIN_EXE_xsk-pktgen"),
        &["--rate", "20000", "--duration", "2", "--burst", "4000"],
    );
    r.ok().sandbox_removed();
    r.engine("xsk-pktgen: engine: ");
    // No frame before its time: each thread sends at most one frame per interval after its
    // first (RESULT's secs is rounded to 1 ms). How many it manages is speed: benchmarks.
    let sent = r.result_num("pkts") as u64;
    let bound = (20_000.0 * (r.result_num("secs") + 0.001)) as u64 + 1;
    assert!(sent > 0 && sent <= bound, "{sent} frames, at most {bound}");
    pktgen_accounts_for_every_frame(&r, sent);
    // Paced with a count: the program stops at exactly the count, split over two threads.
    let r = run(
        env!("CARGO_BIN_EXE_xsk-pktgen"),
        &[
            "--rate",
            "20000",
            "--count",
            "5001",
            "--queues",
            "2",
            "--duration",
            "8",
        ],
    );
    r.ok().sandbox_removed();
    r.engine("xsk-pktgen: engine: ");
    assert_eq!(
        r.result_num("pkts"),
        5001.0,
        "a count bound is exact when paced"
    );
    let received = pktgen_received(&r);
    assert!(received > 0 && received <= 5001, "{received}");
    pktgen_accounts_for_every_frame(&r, 5001);
}
