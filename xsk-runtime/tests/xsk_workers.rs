//! `Workers`: one thread per queue of an `XskInterface` on a 2-queue veth in its own
//! namespaces, each pinned to its CPU; every datagram received exactly once, the per-queue
//! statistics equal to what the threads saw, a stop handle that ends them, and errors (a
//! worker's error, a panic, an impossible CPU, a CPU list of the wrong length) returned, not
//! panicked. Traffic is bounded: 400 datagrams, 10 s at most.

use xsk_testkit::kernel_tests;

mod xsk_common;

use std::net::UdpSocket;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use xsk_common::*;
use xsk_runtime::socket::SocketConfig;
use xsk_runtime::xsk::{
    Queues, RedirectProgram, Workers, WorkersConfig, XskInterface, XskInterfaceConfig,
};
use xsk_runtime::Error;
use xsk_testkit::netns::{VethPair, LEFT_IPV4};

const PORT: u16 = 9800;
const DATAGRAMS: u32 = 400;

fn open(pair: &VethPair) -> XskInterface {
    let config = XskInterfaceConfig {
        queues: Queues::All,
        program: RedirectProgram::Udp,
        umem: umem_2k(1024),
        socket: SocketConfig {
            rx_size: 512,
            fill_size: 512,
            ..copy_mode_config(64)
        },
        ..Default::default()
    };
    open_in_left(pair, &config).expect("open XskInterface")
}

/// The CPUs the calling thread may run on, from /proc.
fn allowed_cpus() -> String {
    let status = std::fs::read_to_string("/proc/thread-self/status").unwrap();
    status
        .lines()
        .find_map(|l| l.strip_prefix("Cpus_allowed_list:"))
        .unwrap()
        .trim()
        .to_string()
}

#[derive(Default)]
struct Seen {
    /// (queue, payload) of every datagram to PORT.
    payloads: Vec<(u32, Vec<u8>)>,
    /// Per queue: frames and bytes the worker's function saw.
    per_queue: [(u64, u64); 2],
    other: u64,
    /// Per queue: the CPUs its thread was allowed to run on.
    pinned: [String; 2],
}

fn workers_receive_everything_per_queue_and_stop_cleanly() {
    let pair = sandbox("workers_receive_everything_per_queue_and_stop_cleanly", 2);
    let mut xsk = open(&pair);
    assert_eq!(xsk.queues().len(), 2);
    let ncpu = std::thread::available_parallelism().map_or(1, |n| n.get());
    let cpus = vec![0, 1 % ncpu];
    let seen = Arc::new(Mutex::new(Seen::default()));
    let received = Arc::new(AtomicU64::new(0));
    let workers = {
        let (seen, received) = (Arc::clone(&seen), Arc::clone(&received));
        Workers::spawn(
            &mut xsk,
            &WorkersConfig { cpus: cpus.clone() },
            move |ctx| {
                let q = ctx.queue_index();
                seen.lock().unwrap().pinned[q as usize] = allowed_cpus();
                assert_eq!(ctx.cpu(), Some(cpus[q as usize]));
                while !ctx.should_stop() {
                    let n = ctx.receive(64, |frame| {
                        let mut s = seen.lock().unwrap();
                        s.per_queue[q as usize].0 += 1;
                        s.per_queue[q as usize].1 += frame.len() as u64;
                        match parse_udp(frame) {
                            Some((_, PORT, p)) => s.payloads.push((q, p.to_vec())),
                            _ => s.other += 1,
                        }
                    })?;
                    received.fetch_add(n as u64, Ordering::Release);
                    if n == 0 {
                        ctx.wait_rx(5)?;
                    }
                }
                Ok(())
            },
        )
        .expect("spawn the workers")
    };
    assert!(xsk.queues().is_empty(), "the sockets moved to the workers");

    let sent: Vec<Vec<u8>> = (0..DATAGRAMS).map(|i| payload(0x77, i)).collect();
    let sender = {
        let (sent, received) = (sent.clone(), Arc::clone(&received));
        pair.right.ns.spawn(move || {
            let socks: Vec<UdpSocket> = (0..16)
                .map(|_| UdpSocket::bind(("0.0.0.0", 0)).unwrap())
                .collect();
            let deadline = Instant::now() + WAIT;
            for (i, p) in sent.iter().enumerate() {
                // At most 64 in flight: no datagram lost for lack of room in the veth.
                while i as u64 - received.load(Ordering::Acquire).min(i as u64) >= 64
                    && Instant::now() < deadline
                {
                    std::thread::sleep(Duration::from_micros(100));
                }
                socks[i % socks.len()]
                    .send_to(p, (LEFT_IPV4, PORT))
                    .unwrap();
            }
        })
    };
    sender.join().unwrap();
    let deadline = Instant::now() + WAIT;
    while received.load(Ordering::Acquire) < u64::from(DATAGRAMS) && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(2));
    }
    let live = workers.stats();
    assert_eq!(live.len(), 2);
    let handle = workers.stop_handle();
    assert!(!handle.is_stopped());
    handle.stop();
    let deadline = Instant::now() + WAIT;
    while !workers.all_finished() && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(2));
    }
    assert!(workers.all_finished(), "the stop handle ended every worker");
    let finished = workers.join().expect("no worker failed");

    let s = seen.lock().unwrap();
    assert_eq!(s.other, 0, "only UDP reaches the sockets");
    let mut got: Vec<Vec<u8>> = s.payloads.iter().map(|(_, p)| p.clone()).collect();
    got.sort_by_key(|p| u32::from_be_bytes([p[0], p[1], p[2], p[3]]));
    assert_eq!(got.len(), sent.len());
    assert!(got == sent, "every datagram arrived intact, once");
    for (i, cpu) in [0, 1 % ncpu].into_iter().enumerate() {
        assert_eq!(s.pinned[i], cpu.to_string(), "queue {i}'s thread is pinned");
    }

    assert_eq!(finished.queues.len(), 2, "the sockets come back");
    assert_eq!(finished.stats.len(), 2);
    for (i, st) in finished.stats.iter().enumerate() {
        assert_eq!(st.queue, i as u32);
        assert_eq!(st.cpu, Some([0, 1 % ncpu][i]));
        assert_eq!(
            (st.rx_packets, st.rx_bytes),
            s.per_queue[i],
            "queue {i}: the statistics count what the worker saw"
        );
        assert!(st.wakeups >= 1, "queue {i} waited at least once: {st:?}");
        assert_eq!(
            st.rx_dropped + st.rx_ring_full + st.invalid_descs,
            0,
            "{st:?}"
        );
        assert_eq!((st.tx_packets, st.tx_bytes), (0, 0));
        assert!(live[i].rx_packets <= st.rx_packets);
    }
    let total: u64 = finished.stats.iter().map(|s| s.rx_packets).sum();
    assert_eq!(total, u64::from(DATAGRAMS));
    let bytes: u64 = sent.iter().map(|p| 42 + p.len() as u64).sum();
    assert_eq!(
        finished.stats.iter().map(|s| s.rx_bytes).sum::<u64>(),
        bytes
    );
}

fn workers_return_errors_instead_of_panicking() {
    let pair = sandbox("workers_return_errors_instead_of_panicking", 2);

    // A CPU list of the wrong length: refused before anything starts; the sockets stay.
    let mut xsk = open(&pair);
    let e = Workers::spawn(&mut xsk, &WorkersConfig { cpus: vec![0] }, |_| Ok(())).unwrap_err();
    assert!(
        e.to_string().contains("1 CPU(s) given for 2 queue(s)"),
        "{e}"
    );
    assert_eq!(xsk.queues().len(), 2);

    // A worker's error comes back from join (the other worker stops with it).
    let w = Workers::spawn(&mut xsk, &WorkersConfig::default(), |ctx| {
        if ctx.queue_index() == 1 {
            return Err(Error::invalid("worker one gives up"));
        }
        while !ctx.should_stop() {
            std::thread::sleep(Duration::from_millis(1));
        }
        Ok(())
    })
    .unwrap();
    let e = w.join().unwrap_err();
    assert!(e.to_string().contains("worker one gives up"), "{e}");
    // No sockets left in the interface: spawning again is an error, not a panic.
    let e = Workers::spawn(&mut xsk, &WorkersConfig::default(), |_| Ok(())).unwrap_err();
    assert!(e.to_string().contains("no sockets left"), "{e}");
    drop(xsk);

    // A panicking worker is an error of join. (A fresh sandbox each time: the kernel lets go
    // of a closed socket's queue asynchronously.)
    let pair = sandbox("workers_return_errors_instead_of_panicking", 2);
    let mut xsk = open(&pair);
    let w = xsk
        .run_workers(&[], |ctx| {
            if ctx.queue_index() == 0 {
                panic!("worker zero panics (expected by the test)");
            }
            Ok(())
        })
        .unwrap();
    let e = w.join().unwrap_err();
    assert!(e.to_string().contains("worker of queue 0 panicked"), "{e}");
    drop(xsk);

    // A CPU that cannot exist: the pinning fails in the thread, join reports it.
    let pair = sandbox("workers_return_errors_instead_of_panicking", 2);
    let mut xsk = open(&pair);
    let config = WorkersConfig {
        cpus: vec![0, 1 << 20],
    };
    let w = Workers::spawn(&mut xsk, &config, |ctx| {
        while !ctx.should_stop() {
            std::thread::sleep(Duration::from_millis(1));
        }
        Ok(())
    })
    .unwrap();
    let e = w.join().unwrap_err();
    assert!(e.to_string().contains("CPU 1048576"), "{e}");
}

/// `WorkerContext::forward` on both queues: every datagram the right end sends to PORT is
/// answered in place (MACs, addresses and ports swapped, UDP checksum afresh) out of the queue
/// it came in on, and the right end's sockets receive every answer, intact. The statistics
/// count each packet once received and once sent; nothing stays in flight after `drain`.
fn workers_forward_answers_every_datagram() {
    let pair = sandbox("workers_forward_answers_every_datagram", 2);
    let mut xsk = open(&pair);
    let per_queue_sent = Arc::new(Mutex::new([0u64; 2]));
    let workers = {
        let per_queue_sent = Arc::clone(&per_queue_sent);
        xsk.run_workers(&[], move |ctx| {
            let q = ctx.queue_index() as usize;
            let mut sent = 0u64;
            while !ctx.should_stop() {
                let n = ctx.forward(64, |frame| {
                    let ours = matches!(parse_udp(frame), Some((_, PORT, _)));
                    if ours {
                        echo_in_place(frame);
                        sent += 1;
                    }
                    ours
                })?;
                if n == 0 {
                    ctx.wait_rx(5)?;
                }
            }
            let left = ctx.drain(WAIT)?;
            assert_eq!(left, 0, "queue {q}: every sent frame completed");
            per_queue_sent.lock().unwrap()[q] = sent;
            Ok(())
        })
        .expect("spawn the workers")
    };

    let sent: Vec<Vec<u8>> = (0..DATAGRAMS).map(|i| payload(0x55, i)).collect();
    let answers = {
        let sent = sent.clone();
        pair.right.ns.spawn(move || {
            // 16 sockets: their flows spread over both of the left end's queues.
            let socks: Vec<UdpSocket> = (0..16)
                .map(|_| {
                    let s = UdpSocket::bind(("0.0.0.0", 0)).unwrap();
                    xsk_testkit::socket::grow_receive_buffer(&s, 1 << 20).unwrap();
                    s.set_nonblocking(true).unwrap();
                    s
                })
                .collect();
            let mut got = Vec::new();
            let mut buf = [0u8; 2048];
            let deadline = Instant::now() + WAIT;
            let mut read_all = |got: &mut Vec<Vec<u8>>| {
                for s in &socks {
                    while let Ok((n, from)) = s.recv_from(&mut buf) {
                        assert_eq!(from, (LEFT_IPV4, PORT).into(), "answered from PORT");
                        got.push(buf[..n].to_vec());
                    }
                }
            };
            for (i, p) in sent.iter().enumerate() {
                socks[i % socks.len()]
                    .send_to(p, (LEFT_IPV4, PORT))
                    .unwrap();
                // At most 32 unanswered: none lost for lack of room on the way.
                while i + 1 - got.len().min(i + 1) > 32 && Instant::now() < deadline {
                    read_all(&mut got);
                    std::thread::sleep(Duration::from_micros(100));
                }
            }
            while got.len() < sent.len() && Instant::now() < deadline {
                read_all(&mut got);
                std::thread::sleep(Duration::from_millis(1));
            }
            got
        })
    };
    let mut got = answers.join().unwrap();
    let finished = workers.join().expect("no worker failed");
    got.sort_by_key(|p| u32::from_be_bytes([p[0], p[1], p[2], p[3]]));
    assert_eq!(got.len(), sent.len(), "one answer per datagram");
    assert!(got == sent, "every answer is its request's payload, intact");
    let per_queue_sent = *per_queue_sent.lock().unwrap();
    assert!(
        per_queue_sent.iter().all(|&n| n > 0),
        "16 flows reached both queues: {per_queue_sent:?}"
    );
    for (i, st) in finished.stats.iter().enumerate() {
        assert_eq!(st.tx_packets, per_queue_sent[i], "queue {i}: {st:?}");
        assert!(st.rx_packets >= st.tx_packets, "{st:?}");
        assert_eq!(st.invalid_descs, 0, "{st:?}");
    }
    let tx: u64 = finished.stats.iter().map(|s| s.tx_packets).sum();
    assert_eq!(tx, u64::from(DATAGRAMS));
    let tx_bytes: u64 = finished.stats.iter().map(|s| s.tx_bytes).sum();
    assert_eq!(
        tx_bytes,
        sent.iter().map(|p| 42 + p.len() as u64).sum::<u64>()
    );
}

/// `WorkerContext::transmit` on both queues: each worker writes `PER_QUEUE` UDP datagrams to
/// the right end (tagged with its queue), and a socket there receives every one, intact.
fn workers_transmit_sends_every_frame() {
    const PER_QUEUE: u32 = 150;
    const DPORT: u16 = 9801;
    let pair = sandbox("workers_transmit_sends_every_frame", 2);
    // The receiver reads while the workers send, into a socket buffer grown to hold them all.
    let (ready_tx, ready_rx) = std::sync::mpsc::channel();
    let receiver = pair.right.ns.spawn(move || {
        let s = UdpSocket::bind(("0.0.0.0", DPORT)).unwrap();
        // Room for all of them: the workers send faster than this thread may be scheduled.
        xsk_testkit::socket::grow_receive_buffer(&s, 4 << 20).unwrap();
        s.set_read_timeout(Some(Duration::from_millis(50))).unwrap();
        ready_tx.send(()).unwrap();
        let mut got: Vec<Vec<u8>> = Vec::new();
        let mut buf = [0u8; 2048];
        let deadline = Instant::now() + WAIT;
        while got.len() < 2 * PER_QUEUE as usize && Instant::now() < deadline {
            if let Ok(n) = s.recv(&mut buf) {
                got.push(buf[..n].to_vec());
            }
        }
        got
    });
    ready_rx.recv_timeout(WAIT).expect("the receiver is bound");
    let mut xsk = open(&pair);
    let workers = xsk
        .run_workers(&[], |ctx| {
            let q = ctx.queue_index();
            let mut next = 0u32;
            let deadline = Instant::now() + WAIT;
            while next < PER_QUEUE && Instant::now() < deadline {
                ctx.transmit(16, |buf| {
                    if next == PER_QUEUE {
                        return 0;
                    }
                    let frame = left_to_right(7000 + q as u16, DPORT, &payload(q as u8, next));
                    buf[..frame.len()].copy_from_slice(&frame);
                    next += 1;
                    frame.len()
                })?;
            }
            let left = ctx.drain(WAIT)?;
            assert_eq!(left, 0, "queue {q}: every frame completed");
            assert_eq!(next, PER_QUEUE, "queue {q} queued all its frames in time");
            Ok(())
        })
        .expect("spawn the workers");
    let finished = workers.join().expect("no worker failed");
    let mut got = receiver.join().unwrap();
    let mut want: Vec<Vec<u8>> = (0..2u8)
        .flat_map(|q| (0..PER_QUEUE).map(move |i| payload(q, i)))
        .collect();
    want.sort();
    got.sort();
    assert_eq!(got.len(), want.len(), "every datagram arrived once");
    assert!(got == want, "every datagram intact");
    for st in &finished.stats {
        assert_eq!(st.tx_packets, u64::from(PER_QUEUE), "{st:?}");
        assert_eq!(st.rx_packets, 0, "{st:?}");
    }
}

kernel_tests! {
    privileged: [
        workers_receive_everything_per_queue_and_stop_cleanly,
        workers_return_errors_instead_of_panicking,
        workers_forward_answers_every_datagram,
        workers_transmit_sends_every_frame,
    ],
    plain: [],
}
