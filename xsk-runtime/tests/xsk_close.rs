//! Frames are never lost on close: sockets are dropped with frames in every state — on the
//! fill ring, received and unread on RX, queued and unsent on TX, sent and untaken on the
//! completion ring, in rolled-back batches — alone, sharing a queue (either one dropped
//! first), and the UMEM's own socket dropped first; afterwards `Umem::reclaim` (and, for the
//! UMEM's own queue, `Umem::close`) brings every frame home: `FreeList::is_complete()`.
//!
//! Needs root; without root (and CI != "true") each test prints why it skips.

use xsk_testkit::kernel_tests;

mod xsk_common;

use std::net::UdpSocket;
use std::time::{Duration, Instant};

use xsk_common::*;
use xsk_runtime::socket::XskSocket;
use xsk_runtime::umem::{FreeList, Umem};
use xsk_testkit::netns::{VethPair, LEFT_IPV4};

const FRAMES: u32 = 1024;

/// Binds a socket of `umem` to `ifindex` queue 0 from inside the left namespace (a socket
/// other than the UMEM's own is created in the calling thread's namespace).
/// Retries (bounded) while the queue is busy: the kernel lets go of a queue whose last socket
/// was closed a moment ago asynchronously.
fn bind_left(pair: &VethPair, umem: &Umem, ifindex: u32) -> XskSocket {
    let deadline = Instant::now() + WAIT;
    loop {
        let r = pair
            .left
            .run(|| XskSocket::bind(umem, ifindex, 0, &copy_mode_config(256)))
            .expect("enter namespace");
        match r {
            Ok(s) => return s,
            Err(e) if e.errno() == Some(libc::EBUSY) && Instant::now() < deadline => {
                std::thread::sleep(Duration::from_millis(10))
            }
            Err(e) => panic!("bind: {e}"),
        }
    }
}

/// The loopback interface of the left namespace: where the UMEM's own socket is bound in the
/// tests that need it idle (no program, no traffic).
fn left_lo(pair: &VethPair) -> u32 {
    pair.left.ns.ifindex("lo").expect("lo")
}

/// Sends `n` UDP datagrams from the right end to the left end.
fn send(pair: &VethPair, n: usize) {
    pair.right
        .run(move || {
            let s = UdpSocket::bind(("0.0.0.0", 0)).expect("bind");
            for i in 0..n {
                s.send_to(format!("close test {i}").as_bytes(), (LEFT_IPV4, 9))
                    .expect("send");
            }
        })
        .expect("netns");
}

/// Waits (bounded) until `sock`'s RX ring holds at least `n` packets; takes none.
fn wait_rx(sock: &mut XskSocket, n: u32) {
    let deadline = Instant::now() + WAIT;
    loop {
        let have = sock.rx().expect("rx ring").available();
        if have >= n {
            assert_eq!(have, n, "more packets than sent arrived");
            return;
        }
        assert!(Instant::now() < deadline, "{have} of {n} packets arrived");
        std::thread::sleep(Duration::from_millis(2));
    }
}

/// Entries waiting on a completion ring (none taken).
fn completions_waiting(sock: &mut XskSocket) -> u32 {
    sock.completion()
        .expect("completion ring")
        .peek(u32::MAX)
        .len()
}

/// Queues `n` frames from `free` on `sock`'s TX ring (a frame to the right end each); with
/// `kick`, sends them and waits (bounded) until the kernel completed them on `comp_of`'s
/// completion ring (the socket itself, or the one whose completion ring it shares).
fn transmit(sock: &mut XskSocket, free: &mut FreeList, n: u32, kick: bool) {
    let umem = sock.umem().clone();
    let tx = sock.tx().expect("tx ring");
    let mut batch = tx.reserve(n);
    assert_eq!(batch.len(), n);
    for i in 0..n {
        let mut frame = free.pop().expect("a free frame");
        let bytes = quiet_frame(i);
        umem.frame_mut(&mut frame)[..bytes.len()].copy_from_slice(&bytes);
        batch.push(frame, 0, bytes.len() as u32).expect("push");
    }
    assert_eq!(batch.submit(), n);
    if kick {
        tx.kick().expect("kick");
    }
}

/// A frame to the right end that nothing answers (no ICMP error coming back into the RX
/// ring): EtherType 0x88b5, the IEEE's one for local experiments, which no stack handles.
fn quiet_frame(i: u32) -> Vec<u8> {
    let mut f = Vec::with_capacity(64);
    f.extend_from_slice(&xsk_testkit::netns::RIGHT_MAC);
    f.extend_from_slice(&xsk_testkit::netns::LEFT_MAC);
    f.extend_from_slice(&[0x88, 0xb5]);
    f.extend_from_slice(&i.to_be_bytes());
    f.resize(64, 0x5a);
    f
}

/// Waits (bounded) until `sock`'s completion ring holds `n` entries.
fn wait_completions(sock: &mut XskSocket, n: u32) {
    let deadline = Instant::now() + WAIT;
    while completions_waiting(sock) < n {
        assert!(Instant::now() < deadline, "TX frames never completed");
        std::thread::sleep(Duration::from_millis(2));
    }
    assert_eq!(completions_waiting(sock), n);
}

/// Leaves a rolled-back batch of `n` frames on the fill ring and one of `m` on the TX ring.
fn roll_back(sock: &mut XskSocket, free: &mut FreeList, n: u32, m: u32) {
    let mut b = sock.fill().expect("fill ring").reserve(n);
    for _ in 0..n {
        b.push(free.pop().unwrap()).unwrap();
    }
    drop(b);
    let mut b = sock.tx().expect("tx ring").reserve(m);
    for _ in 0..m {
        b.push(free.pop().unwrap(), 0, 64).unwrap();
    }
    drop(b);
}

/// Asserts that every frame is home, printing where the others are.
fn assert_complete(free: &FreeList, what: &str) {
    assert!(
        free.is_complete(),
        "{what}: {} of {} frames on the free list (or one twice)",
        free.len(),
        free.total()
    );
}

fn a_socket_dropped_in_every_state_gives_every_frame_back() {
    let pair = sandbox("a_socket_dropped_in_every_state_gives_every_frame_back", 1);
    let (xsks, prog) = redirect_program(1);
    let (umem, mut free) = umem_in(&pair, umem_2k(FRAMES));
    // The UMEM's own socket, idle on lo; the socket under test on the veth, with its own fill
    // and completion rings (another interface: kernel 5.10).
    let owner = bind_left(&pair, &umem, left_lo(&pair));
    let mut sock = bind_left(&pair, &umem, pair.left.ifindex);
    assert!(sock.fill().is_some() && sock.completion().is_some());
    xsks.set(0, sock.fd()).unwrap();
    attach_left(&pair, &prog);

    // Sent and completed, not taken back.
    transmit(&mut sock, &mut free, 8, true);
    wait_completions(&mut sock, 8);
    // Received, not read.
    assert_eq!(sock.fill().unwrap().fill_from(&mut free, 64), 64);
    sock.fill().unwrap().wake_if_needed().unwrap();
    send(&pair, 16);
    wait_rx(&mut sock, 16);
    // On the fill ring: the other 48 and 100 more.
    assert_eq!(sock.fill().unwrap().fill_from(&mut free, 100), 100);
    // Queued, never sent (no kick: copy mode sends only on sendto).
    transmit(&mut sock, &mut free, 8, false);
    roll_back(&mut sock, &mut free, 4, 2);

    let out = FRAMES as usize - free.len();
    assert_eq!(out, 8 + 164 + 8 + 4 + 2);
    assert_eq!(umem.reclaimable(), 0);
    drop(sock);
    assert_eq!(
        umem.reclaimable(),
        out,
        "every frame of the socket came back"
    );
    assert_eq!(umem.reclaim(&mut free) as usize, out);
    assert_complete(&free, "after dropping the socket");
    assert_eq!(umem.reclaim(&mut free), 0, "each frame comes back once");
    drop(owner);
    drop((xsks, prog));
}

fn sockets_sharing_a_queue_give_every_frame_back_in_either_order() {
    let pair = sandbox(
        "sockets_sharing_a_queue_give_every_frame_back_in_either_order",
        1,
    );
    let (xsks, prog) = redirect_program(1);
    attach_left(&pair, &prog);
    for mapper_first in [true, false] {
        let (umem, mut free) = umem_in(&pair, umem_2k(FRAMES));
        let owner = bind_left(&pair, &umem, left_lo(&pair));
        // `mapper` set up the queue's fill and completion rings, `sharer` shares them and
        // receives (it is in the XSKMAP).
        let mut mapper = bind_left(&pair, &umem, pair.left.ifindex);
        let mut sharer = bind_left(&pair, &umem, pair.left.ifindex);
        assert!(sharer.fill().is_none(), "shares the mapper's fill ring");
        xsks.set(0, sharer.fd()).unwrap();

        // The sharer's TX completes on the mapper's completion ring.
        transmit(&mut sharer, &mut free, 6, true);
        wait_completions(&mut mapper, 6);
        mapper.fill().unwrap().fill_from(&mut free, 40);
        mapper.fill().unwrap().wake_if_needed().unwrap();
        send(&pair, 10);
        wait_rx(&mut sharer, 10);
        transmit(&mut sharer, &mut free, 5, false);
        transmit(&mut mapper, &mut free, 3, false);
        roll_back(&mut mapper, &mut free, 2, 1);

        if mapper_first {
            drop(mapper);
            // Its rings stay for the sharer (and keep the mapper alive in the kernel).
            drop(sharer);
        } else {
            drop(sharer);
            // The sharer's frames came back at once (RX unread, TX unsent).
            assert_eq!(umem.reclaimable(), 15);
            drop(mapper);
        }
        umem.reclaim(&mut free);
        assert_complete(
            &free,
            if mapper_first {
                "mapper first"
            } else {
                "sharer first"
            },
        );
        drop(owner);
    }
    drop(xsks);
}

fn the_umems_own_socket_dropped_first_loses_nothing() {
    let pair = sandbox("the_umems_own_socket_dropped_first_loses_nothing", 1);
    let (xsks, prog) = redirect_program(1);
    let (umem, mut free) = umem_in(&pair, umem_2k(FRAMES));
    // The UMEM's own socket on the veth, receiving; a second socket shares its queue.
    let mut owner = bind_left(&pair, &umem, pair.left.ifindex);
    let mut other = bind_left(&pair, &umem, pair.left.ifindex);
    xsks.set(0, owner.fd()).unwrap();
    attach_left(&pair, &prog);

    transmit(&mut owner, &mut free, 7, true);
    wait_completions(&mut owner, 7);
    owner.fill().unwrap().fill_from(&mut free, 50);
    owner.fill().unwrap().wake_if_needed().unwrap();
    send(&pair, 12);
    wait_rx(&mut owner, 12);
    transmit(&mut owner, &mut free, 4, false);
    transmit(&mut other, &mut free, 3, false);
    roll_back(&mut owner, &mut free, 2, 2);

    drop(owner);
    // The other socket takes over the queue's rings, with the frames on them.
    assert_eq!(
        other.fill().expect("takes over the fill ring").pending(),
        38
    );
    assert_eq!(other.fill().unwrap().rolled_back(), 2);
    drop(other);
    // What can come back while the UMEM lives: the other socket's TX, the owner's unread RX,
    // the completions, the rolled-back batches.
    assert_eq!(umem.reclaim(&mut free), 3 + 12 + 7 + 2 + 2);
    // The rest (the fill ring, the owner's unsent TX) waits in the kernel with the UMEM's own
    // socket; closing the UMEM brings it home.
    drop(xsks);
    let n = umem.close(&mut free).expect("the last handle");
    assert_eq!(n, 38 + 4);
    assert_complete(&free, "after closing the UMEM");
}

fn close_refuses_while_the_umem_is_in_use() {
    let pair = sandbox("close_refuses_while_the_umem_is_in_use", 1);
    let (umem, mut free) = umem_in(&pair, umem_2k(64));
    let sock = bind_left(&pair, &umem, pair.left.ifindex);
    let umem = umem.close(&mut free).expect_err("a socket still uses it");
    drop(sock);
    let other = umem.clone();
    let umem = umem.close(&mut free).expect_err("another handle");
    drop(other);
    assert_eq!(umem.close(&mut free).expect("last handle"), 0);
    assert_complete(&free, "nothing was ever in a ring");
}

fn an_xsk_interface_closes_with_every_frame_home() {
    let pair = sandbox("an_xsk_interface_closes_with_every_frame_home", 1);
    let config = xsk_runtime::xsk::XskInterfaceConfig {
        queues: xsk_runtime::xsk::Queues::List(vec![0]),
        umem: umem_2k(FRAMES),
        socket: copy_mode_config(256),
        ..Default::default()
    };
    let mut xsk = open_in_left(&pair, &config).expect("open");
    send(&pair, 20);
    let q = &mut xsk.queues_mut()[0];
    wait_rx(&mut q.socket, 20);
    transmit(&mut q.socket, &mut q.free, 5, false);
    let pending = q.socket.fill().unwrap().pending();
    assert!(pending > 0, "frames on the fill ring too");
    let free = xsk.close();
    assert_complete(&free, "after XskInterface::close");
}

kernel_tests! {
    privileged: [
        a_socket_dropped_in_every_state_gives_every_frame_back,
        sockets_sharing_a_queue_give_every_frame_back_in_either_order,
        the_umems_own_socket_dropped_first_loses_nothing,
        close_refuses_while_the_umem_is_in_use,
        an_xsk_interface_closes_with_every_frame_home,
    ],
}
