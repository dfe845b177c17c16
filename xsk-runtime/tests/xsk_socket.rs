//! AF_XDP sockets on the real kernel: each test builds its own pair of network namespaces
//! joined by a veth pair (unique names, deleted on drop), attaches the guides' redirect
//! program to the left end, and moves packets between an AF_XDP socket on the left and plain
//! sockets on the right. Every test ends with frame accounting: no frame leaked or doubled.
//!
//! Needs root; without root (and CI != "true") each test prints why it skips.

use xsk_testkit::kernel_tests;

mod xsk_common;

use std::collections::BTreeMap;
use std::net::UdpSocket;
use std::time::{Duration, Instant};

use xsk_common::*;
use xsk_runtime::socket::{BindMode, SocketConfig, XskSocket};
use xsk_runtime::umem::UmemConfig;
use xsk_testkit::netns::{LEFT_IPV4, LEFT_MAC, RIGHT_MAC};

fn small_umem() -> UmemConfig {
    umem_2k(512)
}

fn ring_config() -> SocketConfig {
    copy_mode_config(256)
}

/// Sends `payloads` as UDP datagrams from the right namespace to `LEFT_IPV4:dport`, each
/// from source port `sport_base + (i % nports)`.
fn send_from_right(
    pair: &xsk_testkit::netns::VethPair,
    payloads: &[Vec<u8>],
    sport_base: u16,
    nports: u16,
    dport: u16,
) {
    pair.right
        .run(|| {
            let socks: Vec<UdpSocket> = (0..nports)
                .map(|k| UdpSocket::bind(("0.0.0.0", sport_base + k)).expect("bind udp"))
                .collect();
            for (i, p) in payloads.iter().enumerate() {
                socks[i % socks.len()]
                    .send_to(p, (LEFT_IPV4, dport))
                    .expect("send udp");
            }
        })
        .expect("run in right namespace");
}

fn rx_udp_payloads_arrive_byte_identical() {
    let pair = sandbox("rx_udp_payloads_arrive_byte_identical", 1);
    let (_attached, mut free, mut sock) = queue0(&pair, small_umem(), &ring_config());
    assert!(!sock.is_zero_copy(), "veth has no zero-copy");
    sock.fill().unwrap().fill_from(&mut free, 256);

    let sent: Vec<Vec<u8>> = (0..200).map(|i| payload(0xa5, i)).collect();
    send_from_right(&pair, &sent, 40000, 1, 9000);
    let got = receive(&mut sock, &mut free, sent.len());

    let mut payloads: Vec<Vec<u8>> = got
        .iter()
        .filter_map(|f| parse_udp(f))
        .filter(|(_, dport, _)| *dport == 9000)
        .map(|(_, _, p)| p.to_vec())
        .collect();
    assert_eq!(payloads.len(), sent.len(), "every UDP packet arrives once");
    payloads.sort_by_key(|p| u32::from_be_bytes([p[0], p[1], p[2], p[3]]));
    for (i, (g, s)) in payloads.iter().zip(&sent).enumerate() {
        assert!(g == s, "packet {i} differs");
    }
    // The whole frame is what the right end put on the wire.
    let f = &got[0];
    assert_eq!(&f[..6], &LEFT_MAC);
    assert_eq!(&f[6..12], &RIGHT_MAC);

    let stats = sock.statistics().expect("XDP_STATISTICS");
    assert_eq!(stats.rx_invalid_descs, 0);
    assert_eq!(stats.rx_dropped, 0, "{stats:?}");
    assert_frames_accounted(&mut sock, &free);
    drain_and_check_all_frames_home(&pair, &mut sock, &mut free);
}

fn tx_from_xsk_arrives_at_peer() {
    let pair = sandbox("tx_from_xsk_arrives_at_peer", 1);
    let (umem, mut free) = umem_in(&pair, small_umem());
    let mut sock = XskSocket::bind(&umem, pair.left.ifindex, 0, &ring_config()).expect("bind");
    let receiver = pair
        .right
        .run(|| {
            let s = UdpSocket::bind(("0.0.0.0", 9100)).expect("bind");
            s.set_read_timeout(Some(Duration::from_millis(100)))
                .unwrap();
            s
        })
        .expect("netns");

    let sent: Vec<Vec<u8>> = (0..100).map(|i| payload(0x3c, i)).collect();
    let mut queued = 0;
    let deadline = Instant::now() + WAIT;
    while queued < sent.len() && Instant::now() < deadline {
        let rings = sock.rings();
        let tx = rings.tx.unwrap();
        let mut batch = tx.reserve(32);
        while batch.remaining() > 0 && queued < sent.len() {
            let Some(mut frame) = free.pop() else { break };
            let pkt = left_to_right(41000, 9100, &sent[queued]);
            umem.frame_mut(&mut frame)[..pkt.len()].copy_from_slice(&pkt);
            batch
                .push(frame, 0, pkt.len() as u32)
                .expect("room was reserved");
            queued += 1;
        }
        batch.submit();
        tx.kick_if_needed().expect("kick");
        rings.completion.unwrap().complete_into(&mut free, 64);
    }
    assert_eq!(queued, sent.len());

    let mut got = Vec::new();
    let deadline = Instant::now() + WAIT;
    let mut buf = [0u8; 2048];
    while got.len() < sent.len() && Instant::now() < deadline {
        sock.tx().unwrap().kick_if_needed().expect("kick");
        if let Ok((n, from)) = receiver.recv_from(&mut buf) {
            assert_eq!(from, (LEFT_IPV4, 41000).into());
            got.push(buf[..n].to_vec());
        }
    }
    assert_eq!(got.len(), sent.len(), "all datagrams arrive");
    assert!(got == sent, "in order, byte-identical");
    reap_completions(&mut sock, &mut free);
    let c = sock.counters();
    assert_eq!(c.transmitted, sent.len() as u64);
    assert_eq!(c.completed, sent.len() as u64);
    assert_eq!(sock.statistics().unwrap().tx_invalid_descs, 0);
    // Nothing was put on the fill ring: every frame must be home.
    assert_all_frames_home(&free);
}

fn echo_round_trip_through_user_space() {
    let pair = sandbox("echo_round_trip_through_user_space", 1);
    let (_attached, mut free, mut sock) = queue0(&pair, small_umem(), &ring_config());
    sock.fill().unwrap().fill_from(&mut free, 128);

    let client = pair
        .right
        .run(|| {
            let s = UdpSocket::bind(("0.0.0.0", 42000)).unwrap();
            s.set_read_timeout(Some(Duration::from_millis(50))).unwrap();
            s
        })
        .unwrap();
    let requests: Vec<Vec<u8>> = (0..64).map(|i| payload(0x77, i)).collect();
    for r in &requests {
        client.send_to(r, (LEFT_IPV4, 7)).unwrap();
    }

    // The echo server: receive, rewrite in place, send the same frame back.
    let mut echoed = 0;
    let mut answers = Vec::new();
    let mut buf = [0u8; 2048];
    let deadline = Instant::now() + WAIT;
    while answers.len() < requests.len() && Instant::now() < deadline {
        echoed += forward_turn(&mut sock, &mut free, |p| {
            let is_echo = parse_udp(p).is_some_and(|(_, d, _)| d == 7);
            if is_echo {
                echo_in_place(p);
            }
            is_echo
        });
        if let Ok((n, from)) = client.recv_from(&mut buf) {
            assert_eq!(from, (LEFT_IPV4, 7).into());
            answers.push(buf[..n].to_vec());
        }
    }
    assert_eq!(echoed, requests.len());
    assert_eq!(
        answers, requests,
        "every request answered with its own bytes, in order"
    );
    reap_completions(&mut sock, &mut free);
    assert_frames_accounted(&mut sock, &free);
    drain_and_check_all_frames_home(&pair, &mut sock, &mut free);
}

fn l2fwd_swaps_macs_and_returns_frames() {
    let pair = sandbox("l2fwd_swaps_macs_and_returns_frames", 1);
    let (_attached, mut free, mut sock) = queue0(&pair, small_umem(), &ring_config());
    sock.fill().unwrap().fill_from(&mut free, 128);

    let right_ifindex = pair.right.ifindex;
    let sent: Vec<Vec<u8>> = (0..50).map(|i| payload(0x12, i)).collect();
    let sent2 = sent.clone();
    // The peer listens with AF_PACKET: the forwarded frames are addressed to the left's IP,
    // so only a packet socket sees them come back.
    let ps = pair
        .right
        .run(move || PacketSocket::open(right_ifindex))
        .unwrap();
    let capture = std::thread::spawn(move || {
        ps.receive(sent2.len(), |f| {
            parse_udp(f).is_some_and(|(s, d, _)| s == 43000 && d == 9300)
        })
    });
    send_from_right(&pair, &sent, 43000, 1, 9300);

    let deadline = Instant::now() + WAIT;
    let mut forwarded = 0;
    while forwarded < sent.len() && Instant::now() < deadline {
        forwarded += forward_turn(&mut sock, &mut free, |p| {
            swap_macs(p);
            true
        });
        if forwarded == 0 {
            let _ = sock.poll_rx(10);
        }
    }
    let frames = capture.join().unwrap();
    assert_eq!(frames.len(), sent.len());
    for (f, s) in frames.iter().zip(&sent) {
        assert_eq!(&f[..6], &RIGHT_MAC, "destination is now the sender");
        assert_eq!(&f[6..12], &LEFT_MAC, "source is now the forwarder");
        assert_eq!(parse_udp(f).unwrap().2, &s[..]);
    }
    reap_completions(&mut sock, &mut free);
    assert_frames_accounted(&mut sock, &free);
    drain_and_check_all_frames_home(&pair, &mut sock, &mut free);
}

fn multi_queue_sockets_share_one_umem() {
    const QUEUES: u32 = 2;
    let pair = sandbox("multi_queue_sockets_share_one_umem", QUEUES);
    let (xsks, prog) = redirect_program(QUEUES);
    let (umem, mut free) = umem_in(
        &pair,
        UmemConfig {
            frame_count: 1024,
            ..small_umem()
        },
    );
    let ifindex = pair.left.ifindex;
    let cfg = ring_config();
    let mut socks: Vec<XskSocket> = pair
        .left
        .run(|| {
            (0..QUEUES)
                .map(|q| XskSocket::bind(&umem, ifindex, q, &cfg).expect("bind"))
                .collect()
        })
        .unwrap();
    for s in &socks {
        xsks.set(s.queue(), s.fd()).unwrap();
    }
    attach_left(&pair, &prog);
    // Each socket got its own fill and completion rings (different queue, same UMEM).
    let mut lists = Vec::new();
    for s in socks.iter_mut() {
        let mut mine = free.take(512);
        s.fill().expect("own fill ring").fill_from(&mut mine, 256);
        assert!(s.completion().is_some());
        lists.push(mine);
    }

    // 32 flows (source ports): the sender's per-flow queue choice spreads them over queues.
    let sent: Vec<Vec<u8>> = (0..256).map(|i| payload(0x42, i)).collect();
    // The receive loop below runs while this sends.
    let sender = {
        let sent = sent.clone();
        pair.right.ns.spawn(move || {
            let socks: Vec<UdpSocket> = (0..32)
                .map(|k| UdpSocket::bind(("0.0.0.0", 44000 + k)).expect("bind udp"))
                .collect();
            for (i, p) in sent.iter().enumerate() {
                socks[i % socks.len()]
                    .send_to(p, (LEFT_IPV4, 9400))
                    .expect("send udp");
            }
        })
    };

    let mut per_queue: BTreeMap<u32, usize> = BTreeMap::new();
    let mut all = Vec::new();
    let deadline = Instant::now() + WAIT;
    while all.len() < sent.len() && Instant::now() < deadline {
        for (s, list) in socks.iter_mut().zip(lists.iter_mut()) {
            let q = s.queue();
            let rings = s.rings();
            let fill = rings.fill.unwrap();
            fill.fill_from(list, 64);
            let mut batch = rings.rx.unwrap().recv(64);
            for pkt in batch.by_ref() {
                if let Some((_, 9400, p)) = parse_udp(umem.packet(&pkt)) {
                    all.push(p.to_vec());
                    *per_queue.entry(q).or_default() += 1;
                }
                list.push(pkt.into_frame()).unwrap();
            }
            batch.release();
        }
        std::thread::sleep(Duration::from_millis(1));
    }
    sender.join().unwrap();
    all.sort_by_key(|p| u32::from_be_bytes([p[0], p[1], p[2], p[3]]));
    let stats: Vec<_> = socks.iter().map(|s| s.statistics().unwrap()).collect();
    assert_eq!(all.len(), sent.len(), "{per_queue:?} {stats:?}");
    assert!(
        all == sent,
        "every packet arrives exactly once over the queues"
    );
    assert_eq!(
        per_queue.len(),
        QUEUES as usize,
        "every queue's socket received some flows: {per_queue:?}"
    );
    // Accounting over both sockets and both lists.
    let mut total_free = free.len() as i64;
    for (s, l) in socks.iter_mut().zip(&lists) {
        let c = s.counters();
        let pending = i64::from(s.fill().unwrap().pending());
        assert_eq!(c.in_kernel(), pending, "{c:?}");
        total_free += l.len() as i64 + pending;
    }
    assert_eq!(total_free, i64::from(free.total()));
    drop(socks);
}

fn zero_copy_on_veth_is_refused_or_falls_back() {
    let pair = sandbox("zero_copy_on_veth_is_refused_or_falls_back", 1);
    let ifindex = pair.left.ifindex;
    let forced = SocketConfig {
        mode: BindMode::ZeroCopy,
        ..ring_config()
    };
    let (umem, _free) = umem_in(&pair, small_umem());
    let e = XskSocket::bind(&umem, ifindex, 0, &forced).unwrap_err();
    assert_eq!(e.errno(), Some(libc::EOPNOTSUPP), "{e}");
    let msg = e.to_string();
    assert!(msg.contains("does not support zero-copy"), "{msg}");

    let fallback = SocketConfig {
        mode: BindMode::ZeroCopyOrCopy,
        ..ring_config()
    };
    let (umem, _free) = umem_in(&pair, small_umem());
    let sock = XskSocket::bind(&umem, ifindex, 0, &fallback).expect("fallback to copy mode");
    assert!(sock.zero_copy_refused());
    assert!(!sock.is_zero_copy());
    assert_eq!(
        sock.options().unwrap().flags & 1,
        0,
        "XDP_OPTIONS says copy mode"
    );
}

fn bind_errors_say_what_is_wrong() {
    let pair = sandbox("bind_errors_say_what_is_wrong", 1);
    let ifindex = pair.left.ifindex;
    // A queue that does not exist.
    let (umem, _free) = umem_in(&pair, small_umem());
    let e = XskSocket::bind(&umem, ifindex, 7, &ring_config()).unwrap_err();
    let msg = e.to_string();
    assert_eq!(e.errno(), Some(libc::EINVAL), "{msg}");
    assert!(msg.contains("queue 7 does not exist"), "{msg}");
    assert!(msg.contains("1 RX"), "{msg}");
    // A failed first bind does not spoil the UMEM: its own socket keeps the rings that bind
    // set (the kernel sets a ring once per socket), so a retry must ask for the same sizes ...
    let other = SocketConfig {
        rx_size: 128,
        ..ring_config()
    };
    let e = XskSocket::bind(&umem, ifindex, 0, &other).unwrap_err();
    let msg = e.to_string();
    assert!(
        msg.contains("RX ring") && msg.contains("256 entries") && msg.contains("new Umem"),
        "{msg}"
    );
    let first = (umem, _free);

    // An interface that does not exist, by name and by index.
    let (umem, _free) = umem_in(&pair, small_umem());
    let e = pair
        .left
        .run(|| XskSocket::bind_name(&umem, "no-such-if0", 0, &ring_config()).unwrap_err())
        .unwrap();
    assert!(
        matches!(e, xsk_runtime::Error::UnknownInterface { .. }),
        "{e}"
    );
    let e = XskSocket::bind(&umem, 999_999, 0, &ring_config()).unwrap_err();
    assert_eq!(e.errno(), Some(libc::ENODEV), "{e}");

    // Ring sizes that are not powers of two never reach the kernel.
    let (umem, _free) = umem_in(&pair, small_umem());
    let bad = SocketConfig {
        rx_size: 1000,
        ..ring_config()
    };
    let e = XskSocket::bind(&umem, ifindex, 0, &bad).unwrap_err();
    assert!(
        e.to_string()
            .contains("RX ring size 1000 is not a power of two"),
        "{e}"
    );
    // ... and the UMEM is still usable afterwards.
    XskSocket::bind(&umem, ifindex, 0, &ring_config()).expect("bind after a config error");

    // A UMEM too small to hold a frame, or with an invalid frame size.
    let e = xsk_runtime::umem::Umem::new(&UmemConfig {
        frame_count: 0,
        ..small_umem()
    })
    .unwrap_err();
    assert!(e.to_string().contains("UMEM too small"), "{e}");
    let e = xsk_runtime::umem::Umem::new(&UmemConfig {
        frame_size: 1000,
        ..small_umem()
    })
    .unwrap_err();
    assert!(e.to_string().contains("frame size 1000"), "{e}");
    // ... and then binds, maps those rings again, and receives. (Last in this test: after
    // the socket closes, the kernel frees its hold on queue 0 asynchronously.)
    drop(umem); // its own socket holds queue 0 while it lives
    let (umem, _free) = first;
    {
        let (xsks, prog) = redirect_program(1);
        let mut free = _free;
        // The sockets of the other UMEMs above were closed just now; the kernel lets go of
        // queue 0 asynchronously (EBUSY until then), so wait for that, bounded.
        let deadline = Instant::now() + WAIT;
        let mut sock = loop {
            match XskSocket::bind(&umem, ifindex, 0, &ring_config()) {
                Err(e) if e.errno() == Some(libc::EBUSY) && Instant::now() < deadline => {
                    assert!(e.to_string().contains("SocketConfig::busy_wait"), "{e}");
                    std::thread::sleep(Duration::from_millis(5));
                }
                r => break r.expect("a retry with the same ring sizes binds"),
            }
        };
        xsks.set(0, sock.fd()).unwrap();
        attach_left(&pair, &prog);
        sock.fill().unwrap().fill_from(&mut free, 64);
        let sent = vec![payload(0x3c, 1)];
        send_from_right(&pair, &sent, 45000, 1, 9700);
        let got = receive(&mut sock, &mut free, 1);
        assert!(
            got.iter()
                .any(|f| parse_udp(f).is_some_and(|(_, d, p)| d == 9700 && p == &sent[0][..])),
            "the retried socket receives: {:?} {:?} pending {}",
            sock.statistics(),
            sock.counters(),
            sock.fill().unwrap().pending()
        );
        drop(sock);
        drop(xsks);
        let _ = free;
    }
}

fn unaligned_umem_receives_into_odd_sized_frames() {
    let pair = sandbox("unaligned_umem_receives_into_odd_sized_frames", 1);
    let cfg = UmemConfig {
        frame_size: 3000,
        frame_count: 300,
        headroom: 64,
        unaligned: true,
        ..Default::default()
    };
    let (attached, mut free, mut sock) = queue0(&pair, cfg, &ring_config());
    let umem = attached.umem.clone();
    sock.fill().unwrap().fill_from(&mut free, 256);
    let sent: Vec<Vec<u8>> = (0..40).map(|i| payload(0x99, i)).collect();
    send_from_right(&pair, &sent, 45000, 1, 9500);
    let got = receive(&mut sock, &mut free, sent.len());
    let mut payloads: Vec<Vec<u8>> = got
        .iter()
        .filter_map(|f| parse_udp(f))
        .filter(|(_, d, _)| *d == 9500)
        .map(|(_, _, p)| p.to_vec())
        .collect();
    payloads.sort_by_key(|p| u32::from_be_bytes([p[0], p[1], p[2], p[3]]));
    assert_eq!(payloads.len(), sent.len());
    assert!(payloads == sent);

    // TX from an odd offset of an odd-sized frame: the address carries the offset in its
    // upper 16 bits, and the completion gives the same frame back.
    let receiver = pair
        .right
        .run(|| {
            let s = UdpSocket::bind(("0.0.0.0", 9501)).unwrap();
            s.set_read_timeout(Some(Duration::from_millis(100)))
                .unwrap();
            s
        })
        .unwrap();
    let mut frame = free.pop().unwrap();
    let addr = frame.addr();
    let pkt = left_to_right(45001, 9501, b"unaligned tx");
    umem.frame_mut(&mut frame)[777..777 + pkt.len()].copy_from_slice(&pkt);
    let mut batch = sock.tx().unwrap().reserve(1);
    batch.push(frame, 777, pkt.len() as u32).unwrap();
    assert_eq!(batch.submit(), 1);
    let mut buf = [0u8; 64];
    let mut got = None;
    let deadline = Instant::now() + WAIT;
    while got.is_none() && Instant::now() < deadline {
        sock.tx().unwrap().kick_if_needed().unwrap();
        if let Ok((n, _)) = receiver.recv_from(&mut buf) {
            got = Some(buf[..n].to_vec());
        }
    }
    assert_eq!(got.as_deref(), Some(&b"unaligned tx"[..]));
    let mut back = None;
    let deadline = Instant::now() + WAIT;
    while back.is_none() && Instant::now() < deadline {
        let mut b = sock.completion().unwrap().peek(1);
        back = b.next();
        b.release();
    }
    let back = back.expect("completion");
    assert_eq!(
        back.addr(),
        addr,
        "the completion names the frame, not the offset"
    );
    free.push(back).unwrap();
    assert_frames_accounted(&mut sock, &free);
    drain_and_check_all_frames_home(&pair, &mut sock, &mut free);
}

/// A closed socket's queue is released by the kernel asynchronously (EBUSY for ~10-25 ms on
/// 6.18): a bind right after the drop waits for it (`SocketConfig::busy_wait`), while a queue
/// held by a live socket fails with EBUSY once the wait is over, and `busy_wait: ZERO` gives
/// the kernel's answer at once (libxdp's behaviour).
fn a_queue_released_a_moment_ago_is_waited_for() {
    let pair = sandbox("a_queue_released_a_moment_ago_is_waited_for", 1);
    let ifindex = pair.left.ifindex;
    // Bound, dropped and bound again at once, ten times: every bind succeeds.
    for round in 0..10 {
        let (umem, _free) = umem_in(&pair, small_umem());
        let sock = XskSocket::bind(&umem, ifindex, 0, &ring_config())
            .unwrap_or_else(|e| panic!("round {round}: a bind right after a close: {e}"));
        drop(sock);
        drop(umem);
    }
    // Without the wait: the kernel's own answer, EBUSY while the release is pending.
    let mut busy = 0;
    for _ in 0..5 {
        let (umem, _free) = umem_in(&pair, small_umem());
        let no_wait = SocketConfig {
            busy_wait: Duration::ZERO,
            ..ring_config()
        };
        match XskSocket::bind(&umem, ifindex, 0, &no_wait) {
            Ok(sock) => drop(sock),
            Err(e) => {
                assert_eq!(e.errno(), Some(libc::EBUSY), "{e}");
                busy += 1;
            }
        }
        drop(umem);
        // Let the release finish before the next round (bounded by the default wait).
        let (umem, _free) = umem_in(&pair, small_umem());
        drop(XskSocket::bind(&umem, ifindex, 0, &ring_config()).expect("bind after the wait"));
    }
    println!("busy_wait ZERO right after a close: EBUSY {busy} of 5 times (the kernel's release is asynchronous)");
    // A queue held by a live socket of another UMEM: EBUSY after the wait, with the hint.
    let (held_umem, _held_free) = umem_in(&pair, small_umem());
    let _held = XskSocket::bind(&held_umem, ifindex, 0, &ring_config()).expect("bind");
    let (umem, _free) = umem_in(&pair, small_umem());
    let wait = Duration::from_millis(60);
    let started = Instant::now();
    let e = XskSocket::bind(
        &umem,
        ifindex,
        0,
        &SocketConfig {
            busy_wait: wait,
            ..ring_config()
        },
    )
    .unwrap_err();
    assert!(started.elapsed() >= wait, "failed before the wait was over");
    assert_eq!(e.errno(), Some(libc::EBUSY), "{e}");
    let msg = e.to_string();
    assert!(
        msg.contains("60 ms of SocketConfig::busy_wait") && msg.contains("a live socket holds it"),
        "{msg}"
    );
}

kernel_tests! {
    privileged: [
        rx_udp_payloads_arrive_byte_identical,
        tx_from_xsk_arrives_at_peer,
        echo_round_trip_through_user_space,
        l2fwd_swaps_macs_and_returns_frames,
        multi_queue_sockets_share_one_umem,
        zero_copy_on_veth_is_refused_or_falls_back,
        bind_errors_say_what_is_wrong,
        a_queue_released_a_moment_ago_is_waited_for,
        unaligned_umem_receives_into_odd_sized_frames,
    ],
}
