//! Waiting on AF_XDP sockets while their rings stay borrowed (`xsk_runtime::xsk::wait`:
//! `PollHandle`, `XskEpoll`), on the real kernel: a veth pair in two namespaces, the redirect
//! program on the left end, a copy-mode socket on its queue 0, plain UDP sockets on the right.
//! Also the kernel behaviour the echo example builds on: a poll of the socket sends what the
//! TX ring holds, with no `sendto` kick ("Waits that send").
//!
//! Needs root; without root (and CI != "true") each test prints why it skips.

use xsk_testkit::kernel_tests;

mod xsk_common;

use std::net::UdpSocket;
use std::os::fd::{AsFd, AsRawFd};
use std::time::{Duration, Instant};

use xsk_common::*;
use xsk_runtime::socket::XskSocket;
use xsk_runtime::umem::{FreeList, UmemConfig};
use xsk_runtime::wait::XskEpoll;
use xsk_testkit::netns::{VethPair, LEFT_IPV4};

fn small_umem() -> UmemConfig {
    umem_2k(256)
}

/// A UDP socket in the right namespace bound to `port` (a 100 ms receive timeout).
fn right_socket(pair: &VethPair, port: u16) -> UdpSocket {
    pair.right
        .run(move || {
            let s = UdpSocket::bind(("0.0.0.0", port)).expect("bind udp");
            s.set_read_timeout(Some(Duration::from_millis(100)))
                .unwrap();
            s
        })
        .expect("run in right namespace")
}

/// Receives one datagram on `s` within [`WAIT`]: its bytes, or None.
fn recv_one(s: &UdpSocket) -> Option<Vec<u8>> {
    let mut buf = [0u8; 2048];
    let deadline = Instant::now() + WAIT;
    while Instant::now() < deadline {
        if let Ok((n, _)) = s.recv_from(&mut buf) {
            return Some(buf[..n].to_vec());
        }
    }
    None
}

/// Takes what the RX ring holds: the packets' bytes; their frames go back to `free`.
fn take_rx(sock: &mut XskSocket, free: &mut FreeList) -> Vec<Vec<u8>> {
    let umem = sock.umem().clone();
    let mut out = Vec::new();
    let mut b = sock.rx().unwrap().recv(64);
    for pkt in b.by_ref() {
        out.push(umem.packet(&pkt).to_vec());
        free.push(pkt.into_frame()).unwrap();
    }
    b.release();
    out
}

fn poll_handle_waits_while_the_rings_are_borrowed() {
    let pair = sandbox("poll_handle_waits_while_the_rings_are_borrowed", 1);
    let (_attached, mut free, mut sock) = queue0(&pair, small_umem(), &copy_mode_config(128));
    sock.fill().unwrap().fill_from(&mut free, 128);
    let handle = sock.poll_handle();
    assert_eq!(
        handle.as_fd().as_raw_fd(),
        sock.fd().as_raw_fd(),
        "the handle waits on the socket's own descriptor"
    );
    let client = right_socket(&pair, 43100);
    let umem = sock.umem().clone();
    // The rings are borrowed for the whole loop; only the handle is used to wait.
    let rings = sock.rings();
    let rx = rings.rx.unwrap();
    assert!(
        !handle.poll_rx(0).expect("poll"),
        "nothing sent yet: not readable"
    );
    client
        .send_to(b"wait for me", (LEFT_IPV4, 9600))
        .expect("send udp");
    let deadline = Instant::now() + WAIT;
    let mut got = None;
    while got.is_none() && Instant::now() < deadline {
        if rx.available() == 0 {
            handle
                .poll_rx(1000)
                .expect("poll while the rings are borrowed");
            continue;
        }
        let mut b = rx.recv(1);
        if let Some(pkt) = b.next() {
            got = parse_udp(umem.packet(&pkt)).map(|(_, d, p)| (d, p.to_vec()));
            free.push(pkt.into_frame()).unwrap();
        }
        b.release();
    }
    assert_eq!(got, Some((9600, b"wait for me".to_vec())));
    assert!(
        handle.poll_tx(0).expect("poll POLLOUT"),
        "an empty TX ring has room"
    );
    assert_frames_accounted(&mut sock, &free);
    drain_and_check_all_frames_home(&pair, &mut sock, &mut free);
}

fn epoll_reports_the_readable_socket_by_token() {
    let pair = sandbox("epoll_reports_the_readable_socket_by_token", 1);
    let (_attached, mut free, mut sock) = queue0(&pair, small_umem(), &copy_mode_config(128));
    sock.fill().unwrap().fill_from(&mut free, 128);
    let mut ep = XskEpoll::new().expect("epoll_create1");
    assert!(ep.is_empty());
    assert_eq!(ep.add(&sock).expect("register"), 0, "the first token is 0");
    assert_eq!(ep.len(), 1);
    let e = ep.add(&sock).unwrap_err().to_string();
    assert!(
        e.contains("registered already") && e.contains("EEXIST"),
        "a socket registered twice is refused, saying why: {e}"
    );
    assert_eq!(ep.len(), 1, "the refused socket is not counted");
    assert_eq!(ep.wait(0).expect("epoll_wait"), 0, "nothing sent yet");
    assert_eq!(ep.ready().count(), 0);

    let client = right_socket(&pair, 43200);
    client.send_to(b"first", (LEFT_IPV4, 9700)).unwrap();
    let mut n = 0;
    let deadline = Instant::now() + WAIT;
    while n == 0 && Instant::now() < deadline {
        n = ep.wait(1000).expect("epoll_wait");
    }
    assert_eq!(n, 1, "the socket became readable");
    assert_eq!(ep.ready().collect::<Vec<_>>(), vec![0]);
    assert_eq!(
        ep.handle(0).unwrap().as_fd().as_raw_fd(),
        sock.fd().as_raw_fd()
    );
    assert!(ep.handle(1).is_none());
    // Level-triggered: readable until the RX ring is emptied.
    assert_eq!(ep.wait(0).unwrap(), 1, "still readable: nothing taken yet");
    let got = take_rx(&mut sock, &mut free);
    assert_eq!(got.len(), 1);
    assert_eq!(parse_udp(&got[0]).unwrap().2, b"first");
    assert_eq!(ep.wait(0).unwrap(), 0, "the RX ring is empty again");
    assert_eq!(
        ep.ready().count(),
        0,
        "ready() names the last wait's sockets only"
    );
    assert_frames_accounted(&mut sock, &free);
    drain_and_check_all_frames_home(&pair, &mut sock, &mut free);
}

/// Answers the one request in the RX ring in place and submits the answer, with no kick.
fn answer_without_kick(sock: &mut XskSocket, free: &mut FreeList) {
    let umem = sock.umem().clone();
    let rings = sock.rings();
    let (rx, tx) = (rings.rx.unwrap(), rings.tx.unwrap());
    let mut b = rx.recv(1);
    let mut out = tx.reserve(1);
    for mut pkt in b.by_ref() {
        echo_in_place(umem.packet_mut(&mut pkt));
        if let Err(p) = out.push_packet(pkt) {
            free.push(p.into_frame()).unwrap();
        }
    }
    assert_eq!(out.submit(), 1, "the answer is queued");
    b.release();
    assert_eq!(tx.pending(), 1, "not sent: no kick");
}

fn waits_send_what_the_tx_ring_holds() {
    let pair = sandbox("waits_send_what_the_tx_ring_holds", 1);
    let (_attached, mut free, mut sock) = queue0(&pair, small_umem(), &copy_mode_config(128));
    assert!(!sock.is_zero_copy());
    sock.fill().unwrap().fill_from(&mut free, 128);
    let client = right_socket(&pair, 43300);
    let handle = sock.poll_handle();
    let mut ep = XskEpoll::with_sockets([&sock]).expect("epoll");

    // poll(): the answer queued before the wait leaves in the wait.
    client.send_to(b"by poll", (LEFT_IPV4, 7)).unwrap();
    let deadline = Instant::now() + WAIT;
    while sock.rx().unwrap().available() == 0 && Instant::now() < deadline {
        handle.poll_rx(1000).unwrap();
    }
    answer_without_kick(&mut sock, &mut free);
    assert!(
        !handle.poll_rx(0).unwrap(),
        "nothing to read; the wait still polled the socket"
    );
    assert_eq!(
        recv_one(&client).as_deref(),
        Some(&b"by poll"[..]),
        "the answer arrived without a sendto kick"
    );
    assert_eq!(sock.tx().unwrap().pending(), 0);

    // epoll: a wait that reported the socket readable leaves it on epoll's ready list, so the
    // next wait polls it and sends the answer.
    client.send_to(b"by epoll", (LEFT_IPV4, 7)).unwrap();
    let deadline = Instant::now() + WAIT;
    while ep.wait(1000).unwrap() == 0 && Instant::now() < deadline {}
    answer_without_kick(&mut sock, &mut free);
    assert_eq!(ep.wait(0).unwrap(), 0, "nothing to read");
    assert_eq!(
        recv_one(&client).as_deref(),
        Some(&b"by epoll"[..]),
        "the answer arrived without a sendto kick"
    );
    assert_eq!(sock.tx().unwrap().pending(), 0);
    assert_eq!(sock.statistics().unwrap().tx_invalid_descs, 0);
    drop(ep);
    drop(handle);
    reap_completions(&mut sock, &mut free);
    assert_frames_accounted(&mut sock, &free);
    drain_and_check_all_frames_home(&pair, &mut sock, &mut free);
}

kernel_tests! {
    privileged: [
        poll_handle_waits_while_the_rings_are_borrowed,
        epoll_reports_the_readable_socket_by_token,
        waits_send_what_the_tx_ring_holds,
    ],
}
