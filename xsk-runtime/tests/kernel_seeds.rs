//! The guides' seed programs, assembled from their text, loaded with the loader, attached to a
//! veth end in its own namespace, with real traffic: the UDP-only seed sends UDP to the AF_XDP
//! socket of the receive queue and passes everything else (here TCP) to the stack.

use xsk_testkit::kernel_tests;

mod common;

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream, UdpSocket};
use std::time::{Duration, Instant};

use common::{asm, xskmap};
use xsk_runtime::maps::XskMap;
use xsk_runtime::socket::{BindMode, SocketConfig, XskSocket};
use xsk_runtime::umem::{FreeList, Umem, UmemConfig};
use xsk_runtime::Loader;
use xsk_testkit::netns::{VethPair, LEFT_IPV4, RIGHT_IPV4};

fn receive_udp(sock: &mut XskSocket, free: &mut FreeList, want: usize) -> Vec<Vec<u8>> {
    let umem = sock.umem().clone();
    let mut out = Vec::new();
    let deadline = Instant::now() + Duration::from_secs(5);
    while out.len() < want && Instant::now() < deadline {
        let rings = sock.rings();
        let fill = rings.fill.unwrap();
        fill.fill_from(free, 64);
        fill.wake_if_needed().unwrap();
        let mut batch = rings.rx.unwrap().recv(64);
        let mut got = 0;
        for pkt in batch.by_ref() {
            out.push(umem.packet(&pkt).to_vec());
            free.push(pkt.into_frame()).unwrap();
            got += 1;
        }
        batch.release();
        if got == 0 {
            let _ = sock.poll_rx(20);
        }
    }
    out
}

fn udp_only_seed_splits_udp_to_xsk_and_tcp_to_the_stack() {
    let pair = VethPair::builder().tag("seed").build().unwrap();
    let loaded = Loader::new()
        .program(asm(
            "udp_only",
            ebpf_dsl::seeds::SEED_UDP_ONLY_ASM,
            vec![xskmap("xsks", 1)],
        ))
        .load()
        .unwrap();
    let xsks: XskMap = loaded.map("xsks").unwrap();
    let prog = loaded.program("udp_only").unwrap();
    let (mut sock, mut free, listener, udp_sink) = pair
        .left
        .run(|| {
            let (umem, free) = Umem::new(&UmemConfig {
                frame_size: 2048,
                frame_count: 256,
                ..Default::default()
            })
            .unwrap();
            let cfg = SocketConfig {
                rx_size: 128,
                tx_size: 0,
                fill_size: 128,
                completion_size: 128,
                mode: BindMode::Copy,
                ..Default::default()
            };
            let sock = XskSocket::bind(&umem, pair.left.ifindex, 0, &cfg).unwrap();
            let listener = TcpListener::bind((LEFT_IPV4, 7001)).unwrap();
            let udp_sink = UdpSocket::bind((LEFT_IPV4, 7002)).unwrap();
            (sock, free, listener, udp_sink)
        })
        .unwrap();
    xsks.set(0, sock.fd()).unwrap();
    let _att = pair
        .left
        .run(|| prog.attach_xdp(&pair.left.name))
        .unwrap()
        .unwrap();
    // TCP passes to the stack: a whole connection works.
    let server = std::thread::spawn(move || {
        let (mut c, _) = listener.accept().unwrap();
        let mut buf = [0u8; 5];
        c.read_exact(&mut buf).unwrap();
        c.write_all(&buf).unwrap();
        buf
    });
    let echoed = pair
        .right
        .run(|| {
            let mut c =
                TcpStream::connect_timeout(&(LEFT_IPV4, 7001).into(), Duration::from_secs(5))
                    .unwrap();
            c.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
            c.write_all(b"hello").unwrap();
            let mut back = [0u8; 5];
            c.read_exact(&mut back).unwrap();
            back
        })
        .unwrap();
    assert_eq!(&echoed, b"hello");
    assert_eq!(&server.join().unwrap(), b"hello");
    // UDP goes to the AF_XDP socket, not to the UDP socket bound on that port. The kernel
    // needs frames in the fill ring before the packets come.
    sock.fill().unwrap().fill_from(&mut free, 128);
    const N: usize = 20;
    pair.right
        .run(|| {
            let s = UdpSocket::bind((RIGHT_IPV4, 0)).unwrap();
            for i in 0..N as u8 {
                s.send_to(&[i; 24], (LEFT_IPV4, 7002)).unwrap();
            }
        })
        .unwrap();
    let frames = receive_udp(&mut sock, &mut free, N);
    assert_eq!(frames.len(), N);
    for (i, f) in frames.iter().enumerate() {
        assert_eq!(f[23], 17, "IPv4 protocol UDP");
        assert_eq!(&f[f.len() - 24..], &[i as u8; 24], "payload {i}");
    }
    udp_sink.set_nonblocking(true).unwrap();
    let mut buf = [0u8; 64];
    assert!(udp_sink.recv(&mut buf).is_err(), "UDP reached the stack");
}

fn redirect_seed_passes_on_an_empty_slot_and_drops_on_an_unbound_socket() {
    // What XskMap's docs say: since 5.10 the kernel accepts an unbound AF_XDP socket in an
    // XSKMAP, and a packet redirected to it is dropped (the socket is checked per packet); an
    // empty slot makes `bpf_redirect_map(.., XDP_PASS)` pass the packet to the stack.
    let pair = VethPair::builder().tag("unbound").build().unwrap();
    let loaded = Loader::new()
        .program(asm(
            "redirect_all",
            ebpf_dsl::seeds::SEED_REDIRECT_ALL_ASM,
            vec![xskmap("xsks", 1)],
        ))
        .load()
        .unwrap();
    let xsks: XskMap = loaded.map("xsks").unwrap();
    let prog = loaded.program("redirect_all").unwrap();
    let sink = pair
        .left
        .run(|| UdpSocket::bind((LEFT_IPV4, 7003)).unwrap())
        .unwrap();
    let _att = pair
        .left
        .run(|| prog.attach_xdp(&pair.left.name))
        .unwrap()
        .unwrap();
    let send = |tag: u8, n: u8| {
        pair.right
            .run(|| {
                let s = UdpSocket::bind((RIGHT_IPV4, 0)).unwrap();
                for i in 0..n {
                    s.send_to(&[tag, i], (LEFT_IPV4, 7003)).unwrap();
                }
            })
            .unwrap()
    };
    // 1. Empty slot: the packets pass.
    send(1, 5);
    let got = common::recv_up_to(&sink, 5, Duration::from_secs(5));
    assert_eq!(got.len(), 5, "an empty slot passes to the stack");
    // 2. An unbound AF_XDP socket in the slot (accepted by this kernel).
    let unbound = xsk_runtime::os::xsk_socket().unwrap();
    use std::os::fd::AsFd;
    xsks.set(0, unbound.as_fd()).unwrap();
    send(2, 5);
    // 3. The slot emptied again: markers pass. Everything sent in step 2 was in the veth
    //    before the markers, so by the time the markers arrive it arrived or was dropped.
    xsks.remove(0).unwrap();
    send(3, 5);
    let got = common::recv_up_to(&sink, 5, Duration::from_secs(5));
    assert_eq!(
        got.iter().filter(|p| p[0] == 3).count(),
        5,
        "the markers pass: {got:?}"
    );
    assert!(
        got.iter().all(|p| p[0] != 2),
        "a packet redirected to an unbound socket reached the stack: {got:?}"
    );
}

kernel_tests! {
    privileged: [
        udp_only_seed_splits_udp_to_xsk_and_tcp_to_the_stack,
        redirect_seed_passes_on_an_empty_slot_and_drops_on_an_unbound_socket,
    ],
}
