//! The `tokio` feature against the real kernel: `AsyncRingBuf` under load (every event read
//! once, in order), and `AsyncXskSocket` woken by packets sent in a veth sandbox of its own.
//!
//! Needs root (CAP_BPF, CAP_NET_ADMIN); skipped with a message otherwise, unless `CI=true`.
//! Built only with `--features tokio`.

use xsk_testkit::kernel_tests;

use std::net::UdpSocket;
use std::time::{Duration, Instant};

use xsk_runtime::async_io::{AsyncRingBuf, AsyncXskSocket};
use xsk_runtime::ringbuf::RingBuf;
use xsk_runtime::socket::{BindMode, SocketConfig};
use xsk_runtime::umem::UmemConfig;
use xsk_runtime::xsk::{Queues, RedirectProgram, XskInterfaceConfig};
use xsk_runtime::XskInterface;
use xsk_testkit::netns::{VethPair, LEFT_IPV4};
use xsk_testkit::seqring::{SeqCheck, SeqProducer, PACKET};

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("a tokio runtime")
}

fn async_ringbuf_reads_every_event_once() {
    // The shared producer (xsk_testkit::seqring): one {seq, 3 * seq} record per run.
    let (producer, ring) = SeqProducer::load(4096).unwrap();
    runtime().block_on(async move {
        let mut events = AsyncRingBuf::new(ring).unwrap();
        let producer = tokio::task::spawn_blocking(move || {
            for _ in 0..100 {
                producer.program().test_run(&PACKET, 500).unwrap();
            }
            producer
        });
        let mut seen = SeqCheck::default();
        let mut check = |r: &[u8]| {
            seen.record(r);
            assert_eq!(
                seen.bad(),
                0,
                "events in order, none lost or repeated, intact"
            );
        };
        let deadline = Instant::now() + Duration::from_secs(120);
        while !producer.is_finished() {
            assert!(
                Instant::now() < deadline,
                "the producer did not finish in 120 s"
            );
            let _ = tokio::time::timeout(Duration::from_millis(50), events.poll(&mut check)).await;
        }
        let producer = producer.await.unwrap();
        events.get_mut().consume(&mut check).unwrap();
        let (written, full) = producer.counts().unwrap();
        assert_eq!(seen.read(), written, "every event written was read");
        seen.verify(written).unwrap();
        assert_eq!(written + full, 100 * 500);
        println!("async ring buffer: {written} events read, {full} runs found the ring full");

        // A wait with nothing coming times out; the next event wakes it.
        let quiet = tokio::time::timeout(Duration::from_millis(20), events.readable()).await;
        assert!(quiet.is_err(), "no event, no wake-up");
    });
}

fn async_needs_a_runtime() {
    let ring = RingBuf::create("rb_no_rt", 4096).unwrap();
    let e = AsyncRingBuf::new(ring).unwrap_err();
    assert!(e.to_string().contains("tokio runtime"), "{e}");
}

fn async_xsk_socket_wakes_on_packets() {
    let pair = VethPair::builder()
        .tag("xasync")
        .build()
        .expect("build the veth sandbox");
    let name = pair.left.name.clone();
    let config = XskInterfaceConfig {
        queues: Queues::List(vec![0]),
        program: RedirectProgram::Udp,
        umem: UmemConfig {
            frame_size: 2048,
            frame_count: 256,
            ..Default::default()
        },
        socket: SocketConfig {
            rx_size: 128,
            tx_size: 128,
            fill_size: 128,
            completion_size: 128,
            mode: BindMode::Copy,
            ..Default::default()
        },
        ..Default::default()
    };
    let mut xsk = pair
        .left
        .run(|| XskInterface::open(&name, &config))
        .expect("enter the namespace")
        .expect("open XskInterface");
    let queue = xsk.take_queues().remove(0);
    let (socket, mut free) = (queue.socket, queue.free);
    let umem = xsk.umem().clone();
    const SENT: usize = 20;
    runtime().block_on(async {
        let mut socket = AsyncXskSocket::new(socket).unwrap();
        // Nothing sent yet: RX is not ready; the empty TX ring has room at once.
        let early = tokio::time::timeout(Duration::from_millis(50), socket.rx_ready()).await;
        assert!(early.is_err(), "RX ready before any packet");
        tokio::time::timeout(Duration::from_secs(10), socket.tx_ready())
            .await
            .expect("an empty TX ring is writable")
            .unwrap();

        let sender = pair.right.ns.spawn(|| {
            let s = UdpSocket::bind(("0.0.0.0", 0)).unwrap();
            for i in 0..SENT {
                s.send_to(&[i as u8; 32], (LEFT_IPV4, 9700)).unwrap();
                std::thread::sleep(Duration::from_millis(5));
            }
        });
        let mut got = 0usize;
        let deadline = Instant::now() + Duration::from_secs(10);
        while got < SENT && Instant::now() < deadline {
            tokio::time::timeout(Duration::from_secs(10), socket.rx_ready())
                .await
                .expect("a packet wakes the socket")
                .unwrap();
            let rings = socket.get_mut().rings();
            let (Some(fill), Some(rx)) = (rings.fill, rings.rx) else {
                panic!("the socket has its fill and RX rings");
            };
            let mut batch = rx.recv(64);
            for p in batch.by_ref() {
                let data = umem.packet(&p);
                assert_eq!(
                    data.len(),
                    14 + 20 + 8 + 32,
                    "Ethernet + IPv4 + UDP + 32 bytes"
                );
                got += 1;
                let _ = free.push(p.into_frame());
            }
            batch.release();
            fill.fill_from(&mut free, 64);
        }
        sender.join().unwrap();
        assert_eq!(got, SENT, "every datagram reached the socket");
        drop(socket.into_inner());
    });
    drop(xsk);
}

kernel_tests! {
    privileged: [
        async_ringbuf_reads_every_event_once,
        async_needs_a_runtime,
        async_xsk_socket_wakes_on_packets,
    ],
}
