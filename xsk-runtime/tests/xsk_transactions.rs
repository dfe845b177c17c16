//! Ring transactions on the real kernel: a typed batch dropped without `submit` rolls back
//! (nothing reaches the kernel, the frames pushed come back through `reclaim`), and an RX
//! batch dropped part-way leaves the packets it did not hand out in the ring.
//!
//! Needs root; without root (and CI != "true") each test prints why it skips.

use xsk_testkit::kernel_tests;

mod xsk_common;

use std::time::{Duration, Instant};

use xsk_common::*;
use xsk_runtime::socket::{SocketConfig, XskSocket};
use xsk_runtime::umem::{Umem, UmemConfig};
use xsk_testkit::netns::VethPair;

fn cfg() -> SocketConfig {
    copy_mode_config(64)
}

fn umem_cfg() -> UmemConfig {
    umem_2k(128)
}

/// A socket on the left end's queue 0, bound from inside the left namespace.
fn bind_in_left(pair: &VethPair, umem: &Umem) -> XskSocket {
    let ifindex = pair.left.ifindex;
    pair.left
        .run(|| XskSocket::bind(umem, ifindex, 0, &cfg()).expect("bind"))
        .unwrap()
}

fn dropped_fill_and_tx_batches_roll_back() {
    let pair = sandbox("dropped_fill_and_tx_batches_roll_back", 1);
    let (umem, mut free) = umem_in(&pair, umem_cfg());
    let mut sock = bind_in_left(&pair, &umem);

    // Fill: push 5 frames into a batch of 8, then drop it (as an early `?` return would).
    let fill = sock.fill().unwrap();
    {
        let mut batch = fill.reserve(8);
        assert_eq!(batch.len(), 8);
        for _ in 0..5 {
            batch.push(free.pop().unwrap()).unwrap();
        }
    }
    assert_eq!(fill.pending(), 0, "nothing was published to the kernel");
    assert_eq!(fill.filled(), 0);
    assert_eq!(fill.rolled_back(), 5, "the pushed frames are handed back");
    assert_eq!(free.len(), 123);
    assert_eq!(
        fill.reserve(64).len(),
        64,
        "the whole reservation is free again"
    );
    assert_eq!(fill.reclaim(&mut free), 5);
    assert_eq!(fill.rolled_back(), 0);
    assert_all_frames_home(&free);

    // fill_from takes rolled-back frames home first.
    {
        let mut batch = fill.reserve(2);
        batch.push(free.pop().unwrap()).unwrap();
    }
    assert_eq!(fill.rolled_back(), 1);
    assert_eq!(fill.fill_from(&mut free, 10), 10);
    assert_eq!(
        (fill.rolled_back(), fill.pending(), free.len()),
        (0, 10, 118)
    );

    // TX: the same, with frames that carry data.
    let tx = sock.tx().unwrap();
    {
        let mut batch = tx.reserve(4);
        for i in 0..3u8 {
            let mut f = free.pop().unwrap();
            umem.frame_mut(&mut f)[..60].fill(i);
            batch.push(f, 0, 60).unwrap();
        }
    }
    assert_eq!(tx.pending(), 0, "nothing was queued for sending");
    assert_eq!(tx.transmitted(), 0);
    assert_eq!(tx.rolled_back(), 3);
    assert_eq!(tx.reserve(64).len(), 64);
    assert_eq!(tx.reclaim(&mut free), 3);
    assert_eq!(free.len(), 118);
    // Descriptors the kernel would skip without completing them (losing the frame) are
    // refused, the frame given back.
    let mut batch = tx.reserve(4);
    let f = free.pop().unwrap();
    let f = batch.push(f, 0, 0).expect_err("empty");
    let f = batch.push(f, 2048, 0).expect_err("starts past the frame");
    let f = batch.push(f, 2000, 60).expect_err("ends past the frame");
    let f = batch
        .push_with_options(f, 0, 60, 1 << 7)
        .expect_err("unknown option bit");
    assert_eq!(batch.remaining(), 4, "nothing was queued");
    drop(batch);
    free.push(f).unwrap();
    // A submitted batch still publishes.
    let mut batch = tx.reserve(1);
    batch.push(free.pop().unwrap(), 0, 60).unwrap();
    assert_eq!(batch.submit(), 1);
    assert_eq!(tx.transmitted(), 1);
    tx.kick().unwrap();
    reap_completions(&mut sock, &mut free);
    assert_frames_accounted(&mut sock, &free);
}

fn an_rx_batch_dropped_part_way_leaves_the_rest_in_the_ring() {
    let pair = sandbox(
        "an_rx_batch_dropped_part_way_leaves_the_rest_in_the_ring",
        1,
    );
    let (xsks, prog) = redirect_program(1);
    let (umem, mut free) = umem_in(&pair, umem_cfg());
    let mut sock = bind_in_left(&pair, &umem);
    xsks.set(0, sock.fd()).unwrap();
    attach_left(&pair, &prog);
    sock.fill().unwrap().fill_from(&mut free, 64);
    let sent: Vec<Vec<u8>> = (0..10).map(|i| payload(0x5a, i)).collect();
    let to_send = sent.clone();
    pair.right
        .run(move || {
            let s = std::net::UdpSocket::bind(("0.0.0.0", 0)).unwrap();
            for p in &to_send {
                s.send_to(p, (xsk_testkit::netns::LEFT_IPV4, 9952)).unwrap();
            }
        })
        .unwrap();
    // Wait (bounded) until all ten are in the RX ring; other packets (IPv6 neighbour
    // discovery) may be there too.
    let deadline = Instant::now() + WAIT;
    let rx = sock.rx().unwrap();
    while rx.available() < 10 && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(1));
    }
    let mut got = Vec::new();
    {
        let mut batch = rx.recv(64);
        let n = batch.len();
        assert!(n >= 10, "{n}");
        for pkt in batch.by_ref().take(3) {
            got.push(umem.packet(&pkt).to_vec());
            free.push(pkt.into_frame()).unwrap();
        }
        // Dropped here: the three taken are released, the rest stays.
    }
    assert_eq!(rx.received(), 3);
    let mut batch = rx.recv(64);
    for pkt in batch.by_ref() {
        got.push(umem.packet(&pkt).to_vec());
        free.push(pkt.into_frame()).unwrap();
    }
    batch.release();
    let payloads: Vec<Vec<u8>> = got
        .iter()
        .filter_map(|f| match parse_udp(f) {
            Some((_, 9952, p)) => Some(p.to_vec()),
            _ => None,
        })
        .collect();
    assert!(payloads == sent, "each packet exactly once, in order");
    assert!(sock.rx().unwrap().recv(64).is_empty());
    assert_frames_accounted(&mut sock, &free);
    drain_and_check_all_frames_home(&pair, &mut sock, &mut free);
}

fn a_ring_keeps_its_socket_open_after_a_swap() {
    // Rings are plain values behind `&mut`: a caller can swap two sockets' TX rings. The
    // ring keeps the socket it kicks open, so a kick never reaches a closed (or reused) fd.
    let pair = sandbox("a_ring_keeps_its_socket_open_after_a_swap", 2);
    let (umem, _free) = umem_in(&pair, umem_cfg());
    let ifindex = pair.left.ifindex;
    let (mut own, mut shared) = pair
        .left
        .run(|| {
            let a = XskSocket::bind(&umem, ifindex, 0, &cfg()).expect("queue 0");
            let b = XskSocket::bind(&umem, ifindex, 1, &cfg()).expect("queue 1, own fd");
            (a, b)
        })
        .unwrap();
    std::mem::swap(own.tx().unwrap(), shared.tx().unwrap());
    drop(shared);
    let tx = own.tx().unwrap();
    tx.kick()
        .expect("the swapped-in ring's socket is still open");
    assert!(tx.kick_if_needed().is_ok());
}

kernel_tests! {
    privileged: [
        dropped_fill_and_tx_batches_roll_back,
        an_rx_batch_dropped_part_way_leaves_the_rest_in_the_ring,
        a_ring_keeps_its_socket_open_after_a_swap,
    ],
}
