//! `xsk-flowtop`: every count proved, `--port` and `--sample`, and a proof that can fail.

use crate::common::{run, ONE_AT_A_TIME};

pub fn flowtop_proves_every_count() {
    let _one = ONE_AT_A_TIME.lock().unwrap_or_else(|e| e.into_inner());
    let r = run(
        env!("CARGO_BIN_EXE_xsk-flowtop"),
        &[
            "--flows",
            "3",
            "--passed-flows",
            "2",
            "--packets",
            "100",
            "--rate",
            "0",
            "--max-time",
            "8",
        ],
    );
    r.ok().sandbox_removed();
    // 3 flows to AF_XDP of 100, 150, 200 datagrams with 32, 69, 106-byte payloads (frames of
    // 74, 111, 148 bytes), and 2 to the stack of 100 and 150.
    for line in [
        "datagrams sent:                     700 over 5 flows",
        "flows in the map, packets and bytes exact: 5 of 5",
        "new-flow events (ring buffer):      5 (5 flows with exactly one, of the right length)",
        "AF_XDP deliveries:                  450 packets, 53650 bytes (5 of 5 flows exact)",
        "PROOF OK",
    ] {
        assert!(r.stdout.contains(line), "{line:?} not in:\n{}", r.stdout);
    }
    assert!(
        r.stdout.contains(":7777 udp") && r.stdout.contains(":7778 udp"),
        "{}",
        r.stdout
    );
}

/// `--port` moves the AF_XDP port (the other flows go to port + 1), and `--sample N` sends
/// every N-th packet of each CPU to the ring buffer: the proof counts them exactly.
pub fn flowtop_port_and_sampling() {
    let _one = ONE_AT_A_TIME.lock().unwrap_or_else(|e| e.into_inner());
    let r = run(
        env!("CARGO_BIN_EXE_xsk-flowtop"),
        &[
            "--port",
            "9100",
            "--sample",
            "5",
            "--flows",
            "3",
            "--passed-flows",
            "2",
            "--packets",
            "100",
            "--rate",
            "0",
            "--max-time",
            "8",
        ],
    );
    r.ok().sandbox_removed();
    for line in [
        "flows in the map, packets and bytes exact: 5 of 5",
        "AF_XDP deliveries:                  450 packets, 53650 bytes (5 of 5 flows exact)",
        "sampled packets (1 in 5 per CPU): ",
        "every UDP datagram to port 9100 on AF_XDP",
        "PROOF OK",
    ] {
        assert!(r.stdout.contains(line), "{line:?} not in:\n{}", r.stdout);
    }
    // 700 packets over the CPUs, every 5th of each: between 140 - (CPUs - 1) and 140.
    let sampled = r
        .stdout
        .lines()
        .find_map(|l| l.strip_prefix("sampled packets (1 in 5 per CPU): "))
        .unwrap();
    let got: Vec<u64> = sampled
        .split(' ')
        .filter_map(|w| w.parse().ok())
        .take(2)
        .collect();
    assert_eq!(got.len(), 2, "{sampled}");
    assert_eq!(got[0], got[1], "read as many as were due: {sampled}");
    assert!((139..=140).contains(&got[0]), "{sampled}");
    assert!(
        r.stdout.contains(":9100 udp") && r.stdout.contains(":9101 udp"),
        "{}",
        r.stdout
    );
}

/// The proof can fail: a sender cut short by --max-time leaves counts below the plan.
pub fn flowtop_proof_fails_when_the_mix_is_cut_short() {
    let _one = ONE_AT_A_TIME.lock().unwrap_or_else(|e| e.into_inner());
    let r = run(
        env!("CARGO_BIN_EXE_xsk-flowtop"),
        &["--rate", "200", "--max-time", "0.5"],
    );
    r.sandbox_removed();
    assert_eq!(r.code, Some(1), "{}", r.stderr);
    assert!(
        r.stdout.contains("PROOF FAILED") && !r.stdout.contains("PROOF OK"),
        "{}",
        r.stdout
    );
    assert!(
        r.stdout.contains("  sent ") && r.stdout.contains("of 6500 datagrams"),
        "{}",
        r.stdout
    );
}
