//! Multi-buffer AF_XDP (`XDP_USE_SG`, `XDP_PKT_CONTD`; kernel 6.6) on a veth with a 9000-byte
//! MTU: packets larger than a frame arrive as several descriptors and are sent as several.
//! Also: several sockets on the same queue sharing one UMEM and its fill ring.

use xsk_testkit::kernel_tests;

mod xsk_common;

use std::net::UdpSocket;
use std::time::{Duration, Instant};

use xsk_common::*;
use xsk_runtime::abi::XDP_PKT_CONTD;
use xsk_runtime::program::{LoadOptions, BPF_F_XDP_HAS_FRAGS};
use xsk_runtime::socket::{BindMode, SocketConfig, XskSocket};
use xsk_runtime::xsk::{Queues, RedirectProgram, XskInterfaceConfig};
use xsk_testkit::netns::{VethPair, LEFT_IPV4};

fn jumbo_packets_arrive_and_leave_as_several_descriptors() {
    let pair = VethPair::builder()
        .tag("xskmb")
        .mtu(9000)
        .build()
        .expect("veth with MTU 9000");
    let config = XskInterfaceConfig {
        queues: Queues::List(vec![0]),
        program: RedirectProgram::All,
        load: LoadOptions {
            prog_flags: BPF_F_XDP_HAS_FRAGS,
            ..Default::default()
        },
        umem: umem_2k(1024),
        socket: SocketConfig {
            multi_buffer: true,
            ..copy_mode_config(512)
        },
        ..Default::default()
    };
    let opened = open_in_left(&pair, &config);
    let probe = xsk_runtime::features::Features::probe().multi_buffer_xsk;
    if !probe.available {
        // A kernel that does not know XDP_USE_SG (before 6.6; the bind-flag probe says so):
        // the bind is refused with the hint naming the flag.
        println!(
            "branch: this kernel refuses XDP_USE_SG ({}): checking the bind's error",
            probe.detail
        );
        let Err(e) = opened else {
            panic!("the probe refused XDP_USE_SG, yet the bind worked");
        };
        assert_eq!(e.errno(), Some(libc::EINVAL), "{e}");
        let hint = e.hint().unwrap_or_default();
        assert!(hint.contains("XDP_USE_SG"), "{e:?}");
        return;
    }
    let mut xsk = opened.expect("open with multi-buffer");
    let umem = xsk.umem().clone();

    // RX: 10 datagrams of 5000 bytes each (more than two 2048-byte frames).
    let sent: Vec<Vec<u8>> = (0..10u32)
        .map(|i| {
            let mut p = vec![0u8; 5000];
            p[..4].copy_from_slice(&i.to_be_bytes());
            for (k, b) in p.iter_mut().enumerate().skip(4) {
                *b = (k % 251) as u8 ^ i as u8;
            }
            p
        })
        .collect();
    let to_send = sent.clone();
    pair.right
        .run(move || {
            let s = UdpSocket::bind(("0.0.0.0", 47000)).unwrap();
            for p in &to_send {
                s.send_to(p, (LEFT_IPV4, 9800)).unwrap();
            }
        })
        .unwrap();

    let q = &mut xsk.queues_mut()[0];
    let mut packets: Vec<Vec<u8>> = Vec::new();
    let mut current: Vec<u8> = Vec::new();
    let mut max_frags = 0;
    let mut frags = 0;
    let deadline = Instant::now() + WAIT;
    while packets.len() < sent.len() && Instant::now() < deadline {
        let rings = q.socket.rings();
        let fill = rings.fill.unwrap();
        fill.fill_from(&mut q.free, 64);
        fill.wake_if_needed().unwrap();
        let mut batch = rings.rx.unwrap().recv(64);
        for pkt in batch.by_ref() {
            current.extend_from_slice(umem.packet(&pkt));
            frags += 1;
            let more = pkt.is_continued();
            q.free.push(pkt.into_frame()).unwrap();
            if !more {
                max_frags = max_frags.max(frags);
                frags = 0;
                packets.push(std::mem::take(&mut current));
            }
        }
        batch.release();
        std::thread::sleep(Duration::from_millis(1));
    }
    let mut payloads: Vec<Vec<u8>> = packets
        .iter()
        .filter_map(|f| parse_udp(f))
        .filter(|(_, d, _)| *d == 9800)
        .map(|(_, _, p)| p.to_vec())
        .collect();
    payloads.sort_by_key(|p| u32::from_be_bytes([p[0], p[1], p[2], p[3]]));
    assert_eq!(payloads.len(), sent.len());
    assert!(
        payloads == sent,
        "jumbo payloads reassembled byte-identical"
    );
    assert!(
        max_frags >= 3,
        "a 5042-byte frame needs 3 descriptors of 2048-byte frames, saw {max_frags}"
    );

    // TX: one 4000-byte datagram as three descriptors (XDP_PKT_CONTD on all but the last).
    let receiver = pair
        .right
        .run(|| {
            let s = UdpSocket::bind(("0.0.0.0", 9900)).unwrap();
            s.set_read_timeout(Some(Duration::from_millis(100)))
                .unwrap();
            s
        })
        .unwrap();
    let big: Vec<u8> = (0..4000u32).map(|k| (k * 7 % 256) as u8).collect();
    let frame = left_to_right(48000, 9900, &big);
    let rings = q.socket.rings();
    let tx = rings.tx.unwrap();
    let mut batch = tx.reserve(3);
    assert_eq!(batch.len(), 3);
    let chunks: Vec<&[u8]> = frame.chunks(1500).collect();
    for (i, chunk) in chunks.iter().enumerate() {
        let mut f = q.free.pop().unwrap();
        umem.frame_mut(&mut f)[..chunk.len()].copy_from_slice(chunk);
        let opts = if i + 1 < chunks.len() {
            XDP_PKT_CONTD
        } else {
            0
        };
        batch
            .push_with_options(f, 0, chunk.len() as u32, opts)
            .unwrap();
    }
    assert_eq!(batch.submit(), 3);
    let mut buf = vec![0u8; 9000];
    let mut got = None;
    let deadline = Instant::now() + WAIT;
    while got.is_none() && Instant::now() < deadline {
        q.socket.tx().unwrap().kick_if_needed().unwrap();
        if let Ok((n, _)) = receiver.recv_from(&mut buf) {
            got = Some(buf[..n].to_vec());
        }
    }
    assert!(
        got.as_deref() == Some(&big[..]),
        "the 3-descriptor packet arrives whole"
    );
    reap_completions(&mut q.socket, &mut q.free);
    assert_eq!(q.socket.counters().completed, 3);
    let c = q.socket.counters();
    let pending = q.socket.fill().unwrap().pending();
    assert_eq!(c.in_kernel(), i64::from(pending));
    assert_eq!(q.free.len() + pending as usize, 1024);
}

fn sockets_on_the_same_queue_share_the_fill_ring() {
    let pair = sandbox("sockets_on_the_same_queue_share_the_fill_ring", 1);
    let (xsks, prog) = redirect_program(1);
    let (umem, mut free) = umem_in(&pair, umem_2k(256));
    let ifindex = pair.left.ifindex;
    let cfg = SocketConfig {
        rx_size: 128,
        tx_size: 128,
        fill_size: 128,
        completion_size: 128,
        mode: BindMode::Copy,
        ..Default::default()
    };
    let (mut first, mut second) = pair
        .left
        .run(|| {
            let a = XskSocket::bind(&umem, ifindex, 0, &cfg).expect("first");
            let b = XskSocket::bind(&umem, ifindex, 0, &cfg).expect("second, same queue");
            (a, b)
        })
        .unwrap();
    assert!(first.fill().is_some());
    assert!(
        second.fill().is_none(),
        "the second socket uses the first one's fill ring"
    );
    assert!(second.completion().is_none());
    assert!(second.uses_need_wakeup(), "inherited from the first socket");
    // The XSKMAP picks the socket: put the second one at the queue.
    xsks.set(0, second.fd()).unwrap();
    attach_left(&pair, &prog);
    first.fill().unwrap().fill_from(&mut free, 128);

    let sent: Vec<Vec<u8>> = (0..30).map(|i| payload(0x66, i)).collect();
    let to_send = sent.clone();
    pair.right
        .run(move || {
            let s = UdpSocket::bind(("0.0.0.0", 49000)).unwrap();
            for p in &to_send {
                s.send_to(p, (LEFT_IPV4, 9950)).unwrap();
            }
        })
        .unwrap();
    let mut got = Vec::new();
    let deadline = Instant::now() + WAIT;
    while got.len() < sent.len() && Instant::now() < deadline {
        first.fill().unwrap().fill_from(&mut free, 64);
        let mut batch = second.rx().unwrap().recv(64);
        for pkt in batch.by_ref() {
            if let Some((_, 9950, p)) = parse_udp(umem.packet(&pkt)) {
                got.push(p.to_vec());
            }
            free.push(pkt.into_frame()).unwrap();
        }
        batch.release();
        assert!(
            first.rx().unwrap().recv(64).is_empty(),
            "the first socket is not in the map"
        );
        std::thread::sleep(Duration::from_millis(1));
    }
    assert_eq!(got.len(), sent.len());
    assert!(got == sent);
    // Frames: filled through the first socket, received through the second.
    let c = first.counters() + second.counters();
    let pending = first.fill().unwrap().pending();
    assert_eq!(c.in_kernel(), i64::from(pending), "{c:?}");
    assert_eq!(free.len() + pending as usize, 256);
    // The first socket (the UMEM's own) goes: the second takes over the fill ring with the
    // frames in it, so they are not lost.
    let filled = first.counters().filled;
    drop(first);
    let fill = second.fill().expect("the fill ring is handed over");
    assert_eq!((fill.filled(), fill.pending()), (filled, pending));
    // With every socket of the queue gone, a new socket on it still shares the UMEM's own
    // socket (the kernel keeps that one bound while the UMEM lives) and takes the rings over.
    drop(second);
    let mut third = pair
        .left
        .run(|| XskSocket::bind(&umem, ifindex, 0, &cfg).expect("a new socket on queue 0"))
        .unwrap();
    let fill = third.fill().expect("the rings wait for the next socket");
    assert_eq!((fill.filled(), fill.pending()), (filled, pending));
}

/// Sends `n` UDP datagrams tagged `tag` to the left end from 32 source ports (the veth spreads
/// the flows over its queues) and receives them on `socks` (one per queue, each refilling its
/// queue's fill ring from `free`); returns how many arrived on each socket. Asserts every
/// datagram arrived intact, exactly once.
fn round(
    pair: &VethPair,
    umem: &xsk_runtime::umem::Umem,
    free: &mut xsk_runtime::umem::FreeList,
    socks: &mut [&mut XskSocket],
    tag: u8,
    n: u32,
) -> Vec<usize> {
    let sent: Vec<Vec<u8>> = (0..n).map(|i| payload(tag, i)).collect();
    for s in socks.iter_mut() {
        s.fill().expect("fill ring").fill_from(free, 64);
    }
    let to_send = sent.clone();
    pair.right
        .run(move || {
            let ss: Vec<UdpSocket> = (0..32)
                .map(|_| UdpSocket::bind(("0.0.0.0", 0)).unwrap())
                .collect();
            for (i, p) in to_send.iter().enumerate() {
                ss[i % ss.len()].send_to(p, (LEFT_IPV4, 9951)).unwrap();
            }
        })
        .unwrap();
    let mut got = Vec::new();
    let mut per_socket = vec![0; socks.len()];
    let deadline = Instant::now() + WAIT;
    while got.len() < sent.len() && Instant::now() < deadline {
        for (k, s) in socks.iter_mut().enumerate() {
            s.fill().expect("fill ring").fill_from(free, 64);
            let mut batch = s.rx().unwrap().recv(64);
            for pkt in batch.by_ref() {
                if let Some((_, 9951, p)) = parse_udp(umem.packet(&pkt)) {
                    got.push(p.to_vec());
                    per_socket[k] += 1;
                }
                free.push(pkt.into_frame()).unwrap();
            }
            batch.release();
        }
        std::thread::sleep(Duration::from_millis(1));
    }
    got.sort_by_key(|p| u32::from_be_bytes([p[0], p[1], p[2], p[3]]));
    assert!(
        got == sent,
        "every datagram arrives once, intact: {per_socket:?}"
    );
    per_socket
}

fn dropping_the_socket_that_owns_a_queues_fill_ring_hands_it_over() {
    // Queue 1 is not the UMEM's own queue: further sockets on it must share with the first
    // socket *of queue 1* (the kernel shares rings only within a queue), and when that socket
    // goes, the next one takes over its fill and completion rings with the frames in them.
    let pair = sandbox(
        "dropping_the_socket_that_owns_a_queues_fill_ring_hands_it_over",
        2,
    );
    let (xsks, prog) = redirect_program(2);
    let (umem, mut free) = umem_in(&pair, umem_2k(512));
    let ifindex = pair.left.ifindex;
    let cfg = SocketConfig {
        rx_size: 128,
        tx_size: 0,
        fill_size: 128,
        completion_size: 128,
        mode: BindMode::Copy,
        ..Default::default()
    };
    let (mut q0, mut q1_first, mut q1_second, mut q1_third) = pair
        .left
        .run(|| {
            let a = XskSocket::bind(&umem, ifindex, 0, &cfg).expect("queue 0 (UMEM's own)");
            let b = XskSocket::bind(&umem, ifindex, 1, &cfg).expect("queue 1, first");
            let c = XskSocket::bind(&umem, ifindex, 1, &cfg)
                .expect("queue 1, second: shares the first queue-1 socket's rings");
            let d = XskSocket::bind(&umem, ifindex, 1, &cfg).expect("queue 1, third");
            (a, b, c, d)
        })
        .unwrap();
    assert!(q1_first.fill().is_some());
    assert!(q1_second.fill().is_none() && q1_third.fill().is_none());
    xsks.set(0, q0.fd()).unwrap();
    xsks.set(1, q1_second.fd()).unwrap();
    attach_left(&pair, &prog);
    // Frames go into queue 1's fill ring through its owner, which is then dropped with those
    // frames still in the ring.
    assert_eq!(q1_first.fill().unwrap().fill_from(&mut free, 100), 100);
    drop(q1_first);
    // The second socket takes the rings over, counters included, and receives through them.
    let fill = q1_second
        .fill()
        .expect("the queue's fill ring is handed over");
    assert_eq!(fill.filled(), 100, "the counters come along");
    assert_eq!(fill.pending(), 100, "the frames in the ring come along");
    assert!(q1_second.completion().is_some());
    assert!(q1_third.fill().is_none(), "only one socket takes the rings");
    let per = round(
        &pair,
        &umem,
        &mut free,
        &mut [&mut q0, &mut q1_second],
        0x71,
        64,
    );
    assert!(
        per[1] > 0,
        "queue 1 received through the handed-over rings: {per:?}"
    );
    // Dropping the new owner hands the rings to the third socket.
    let before = q1_second.counters();
    xsks.set(1, q1_third.fd()).unwrap();
    drop(q1_second);
    let fill = q1_third.fill().expect("handed over again");
    assert_eq!(fill.filled(), before.filled);
    let per = round(
        &pair,
        &umem,
        &mut free,
        &mut [&mut q0, &mut q1_third],
        0x72,
        64,
    );
    assert!(per[1] > 0, "{per:?}");
    // Accounting: every frame is free or waiting in one of the two fill rings. The fill
    // counters moved with the rings; the dropped second socket's RX count did not.
    let mut c = q0.counters() + q1_third.counters();
    c.received += before.received;
    let pending = q0.fill().unwrap().pending() + q1_third.fill().unwrap().pending();
    assert_eq!(c.invalid, 0);
    assert_eq!(c.in_kernel(), i64::from(pending), "{c:?}");
    assert_eq!(free.len() + pending as usize, 512);
}

kernel_tests! {
    privileged: [
        jumbo_packets_arrive_and_leave_as_several_descriptors,
        sockets_on_the_same_queue_share_the_fill_ring,
        dropping_the_socket_that_owns_a_queues_fill_ring_hands_it_over,
    ],
}
