//! The batch-level recycles to the fill ring on the real kernel: `FillRing::refill_from_rx`
//! and `RxBatch::recycle_into` move received frames straight back to the fill ring, counted
//! like `recv` + `push`, never losing or doubling a frame, and leave what does not fit in the
//! RX ring; `FillRing::refill_from_completions` does the same with the frames the kernel has
//! sent (counted like `complete_into` + `fill_from`).
//!
//! Needs root; without root (and CI != "true") the test prints why it skips.

use xsk_testkit::kernel_tests;

mod xsk_common;

use std::time::{Duration, Instant};

use xsk_common::*;
use xsk_runtime::socket::XskSocket;

/// Sends `n` UDP datagrams from the right end to the left one and waits (bounded) until at
/// least `n` descriptors are in the socket's RX ring.
fn send_and_wait(pair: &xsk_testkit::netns::VethPair, sock: &mut XskSocket, tag: u8, n: u32) {
    pair.right
        .run(move || {
            let s = std::net::UdpSocket::bind(("0.0.0.0", 0)).unwrap();
            for i in 0..n {
                s.send_to(&payload(tag, i), (xsk_testkit::netns::LEFT_IPV4, 9953))
                    .unwrap();
            }
        })
        .unwrap();
    let deadline = Instant::now() + WAIT;
    let rx = sock.rx().unwrap();
    while rx.available() < n && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(1));
    }
}

fn rx_frames_go_straight_back_to_the_fill_ring() {
    let pair = sandbox("rx_frames_go_straight_back_to_the_fill_ring", 1);
    let (xsks, prog) = redirect_program(1);
    let (umem, mut free) = umem_in(&pair, umem_2k(128));
    let ifindex = pair.left.ifindex;
    let mut sock = pair
        .left
        .run(|| XskSocket::bind(&umem, ifindex, 0, &copy_mode_config(64)).expect("bind"))
        .unwrap();
    xsks.set(0, sock.fd()).unwrap();
    attach_left(&pair, &prog);
    assert_eq!(sock.fill().unwrap().fill_from(&mut free, 64), 64);

    send_and_wait(&pair, &mut sock, 0x61, 10);
    let avail = sock.rx().unwrap().available();
    assert!(avail >= 10, "{avail} packets arrived");
    let (received0, filled0) = (sock.counters().received, sock.counters().filled);

    // The whole step, limited to 4: four frames go back, the rest stays in the RX ring.
    let rings = sock.rings();
    let (fill, rx) = (rings.fill.unwrap(), rings.rx.unwrap());
    assert_eq!(fill.refill_from_rx(rx, 4), 4);
    assert_eq!(rx.received(), received0 + 4);
    assert_eq!(fill.filled(), filled0 + 4);
    assert_eq!(rx.available(), avail - 4);

    // The two-batch form, with a fill batch of 3: three move, the rest stays in the RX batch
    // for the iterator.
    {
        let mut packets = rx.recv(64);
        let mut batch = fill.reserve(3);
        assert_eq!(batch.len(), 3);
        assert_eq!(packets.recycle_into(&mut batch), 3);
        assert_eq!(batch.remaining(), 0);
        assert_eq!(batch.submit(), 3);
        // The next packet still comes out of the iterator, in order after the moved ones.
        let pkt = packets.next().expect("a packet left in the batch");
        free.push(pkt.into_frame()).unwrap();
        packets.release();
    }
    assert_eq!(rx.received(), received0 + 8);
    assert_eq!(fill.filled(), filled0 + 7);

    // A fill batch dropped after a recycle rolls back: the frames come home by reclaim.
    {
        let mut packets = rx.recv(1);
        let mut batch = fill.reserve(1);
        assert_eq!(packets.recycle_into(&mut batch), 1);
        packets.release();
        // `batch` dropped unsubmitted.
    }
    assert_eq!(fill.rolled_back(), 1);
    assert_eq!(fill.reclaim(&mut free), 1);

    // What is left, in one call.
    let left = rx.available();
    assert_eq!(fill.refill_from_rx(rx, 64), left);
    assert_eq!(rx.available(), 0);
    assert_eq!(fill.refill_from_rx(rx, 64), 0, "nothing to move");
    assert_frames_accounted(&mut sock, &free);

    // The recycled frames are received into again.
    send_and_wait(&pair, &mut sock, 0x62, 20);
    let got = receive(&mut sock, &mut free, 20);
    let ours = got
        .iter()
        .filter(|f| matches!(parse_udp(f), Some((_, 9953, _))))
        .count();
    assert_eq!(ours, 20, "all 20 received into recycled frames");
    assert_eq!(sock.counters().invalid, 0);
    assert_frames_accounted(&mut sock, &free);
    drain_and_check_all_frames_home(&pair, &mut sock, &mut free);
}

fn completed_frames_go_straight_back_to_the_fill_ring() {
    let pair = sandbox("completed_frames_go_straight_back_to_the_fill_ring", 1);
    let (umem, mut free) = umem_in(&pair, umem_2k(128));
    let ifindex = pair.left.ifindex;
    let mut sock = pair
        .left
        .run(|| XskSocket::bind(&umem, ifindex, 0, &copy_mode_config(64)).expect("bind"))
        .unwrap();
    // Nothing completed yet: nothing moves.
    {
        let rings = sock.rings();
        let (fill, comp) = (rings.fill.unwrap(), rings.completion.unwrap());
        assert_eq!(fill.refill_from_completions(comp, 64), 0);
    }
    // Ten frames out through TX; in copy mode the kick sends them and completes them.
    let sent = 10;
    {
        let rings = sock.rings();
        let tx = rings.tx.unwrap();
        let mut batch = tx.reserve(sent);
        for i in 0..sent {
            let mut frame = free.pop().expect("a free frame");
            let pkt = left_to_right(41000, 9, &payload(0x63, i));
            umem.frame_mut(&mut frame)[..pkt.len()].copy_from_slice(&pkt);
            batch.push(frame, 0, pkt.len() as u32).expect("room");
        }
        assert_eq!(batch.submit(), sent);
        let deadline = Instant::now() + WAIT;
        while tx.pending() > 0 && Instant::now() < deadline {
            tx.kick().expect("kick");
            std::thread::sleep(Duration::from_millis(1));
        }
        assert_eq!(tx.pending(), 0, "the kernel took every TX descriptor");
    }
    let (completed0, filled0) = (sock.counters().completed, sock.counters().filled);
    let rings = sock.rings();
    let (fill, comp) = (rings.fill.unwrap(), rings.completion.unwrap());
    // At most `max` at a time; the rest stays in the completion ring.
    assert_eq!(fill.refill_from_completions(comp, 4), 4);
    assert_eq!(comp.completed(), completed0 + 4);
    assert_eq!(fill.filled(), filled0 + 4);
    assert_eq!(fill.pending(), 4, "the four frames are on the fill ring");
    assert_eq!(fill.refill_from_completions(comp, 64), sent - 4);
    assert_eq!(comp.completed(), completed0 + u64::from(sent));
    assert_eq!(fill.filled(), filled0 + u64::from(sent));
    assert_eq!(fill.refill_from_completions(comp, 64), 0, "nothing left");
    assert_eq!(sock.counters().invalid, 0);
    assert_frames_accounted(&mut sock, &free);
    // The recycled frames come home through RX (the program is attached only now, so that no
    // stray packet took fill entries while they were counted above).
    let (xsks, prog) = redirect_program(1);
    xsks.set(0, sock.fd()).unwrap();
    attach_left(&pair, &prog);
    drain_and_check_all_frames_home(&pair, &mut sock, &mut free);
}

kernel_tests! {
    privileged: [
        rx_frames_go_straight_back_to_the_fill_ring,
        completed_frames_go_straight_back_to_the_fill_ring,
    ],
}
