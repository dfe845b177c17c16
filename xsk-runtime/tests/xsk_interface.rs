//! `XskInterface`: the guides' whole setup in one call, on a multi-queue veth in its own
//! namespaces, with the UDP-only redirect program: UDP reaches the sockets, everything else
//! the kernel stack; dropping it detaches the program.

use xsk_testkit::kernel_tests;

mod xsk_common;

use std::collections::BTreeSet;
use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream, UdpSocket};
use std::time::{Duration, Instant};

use xsk_common::*;
use xsk_runtime::socket::{BindMode, SocketConfig};
use xsk_runtime::umem::UmemConfig;
use xsk_runtime::xsk::{Queues, RedirectProgram, XskInterfaceConfig};
use xsk_runtime::XskInterface;
use xsk_testkit::netns::LEFT_IPV4;

fn udp_to_sockets_rest_to_the_stack_and_teardown_detaches() {
    let pair = sandbox("udp_to_sockets_rest_to_the_stack_and_teardown_detaches", 2);
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
    let mut xsk = open_in_left(&pair, &config).expect("open XskInterface");
    assert_eq!(xsk.queues().len(), 2, "one socket per veth queue");
    let ifindex = xsk.ifindex();
    let prog_id = xsk.program().id();
    let q = pair
        .left
        .run(move || xsk_runtime::attach::query(ifindex))
        .unwrap()
        .unwrap();
    assert_eq!(q.program_ids(), vec![prog_id], "our program is attached");

    // A TCP server on the left: TCP is not UDP, so it must reach the stack.
    let listener = pair
        .left
        .run(|| TcpListener::bind((LEFT_IPV4, 9600)).unwrap())
        .unwrap();
    let server = std::thread::spawn(move || {
        let (mut c, _) = listener.accept().unwrap();
        let mut buf = [0u8; 5];
        c.read_exact(&mut buf).unwrap();
        c.write_all(&buf).unwrap();
    });

    let sent: Vec<Vec<u8>> = (0..200).map(|i| payload(0x5a, i)).collect();
    let sender = {
        let sent = sent.clone();
        pair.right.ns.spawn(move || {
            let mut tcp = TcpStream::connect_timeout(&(LEFT_IPV4, 9600).into(), WAIT)
                .expect("TCP passes through to the stack");
            tcp.set_read_timeout(Some(WAIT)).unwrap();
            tcp.write_all(b"hello").unwrap();
            let mut back = [0u8; 5];
            tcp.read_exact(&mut back).unwrap();
            assert_eq!(&back, b"hello");
            let socks: Vec<UdpSocket> = (0..16)
                .map(|k| UdpSocket::bind(("0.0.0.0", 46000 + k)).unwrap())
                .collect();
            for (i, p) in sent.iter().enumerate() {
                socks[i % socks.len()]
                    .send_to(p, (LEFT_IPV4, 9700))
                    .unwrap();
            }
        })
    };

    let umem = xsk.umem().clone();
    let mut got = Vec::new();
    let mut non_udp = 0;
    let mut queues_seen = BTreeSet::new();
    let deadline = Instant::now() + WAIT;
    while got.len() < sent.len() && Instant::now() < deadline {
        for q in xsk.queues_mut() {
            let queue = q.queue();
            let rings = q.socket.rings();
            let fill = rings.fill.unwrap();
            fill.fill_from(&mut q.free, 64);
            fill.wake_if_needed().unwrap();
            let mut batch = rings.rx.unwrap().recv(64);
            for pkt in batch.by_ref() {
                match parse_udp(umem.packet(&pkt)) {
                    Some((_, 9700, p)) => {
                        got.push(p.to_vec());
                        queues_seen.insert(queue);
                    }
                    Some(_) => {}
                    None => non_udp += 1,
                }
                q.free.push(pkt.into_frame()).unwrap();
            }
            batch.release();
        }
        std::thread::sleep(Duration::from_millis(1));
    }
    sender.join().unwrap();
    server.join().unwrap();
    assert_eq!(non_udp, 0, "only UDP is redirected to the sockets");
    got.sort_by_key(|p| u32::from_be_bytes([p[0], p[1], p[2], p[3]]));
    assert_eq!(got.len(), sent.len(), "queues seen: {queues_seen:?}");
    assert!(got == sent, "every UDP datagram arrived intact, once");

    // Frame accounting per queue.
    for q in xsk.queues_mut() {
        let c = q.socket.counters();
        let pending = q.socket.fill().unwrap().pending();
        assert_eq!(c.in_kernel(), i64::from(pending), "{c:?}");
    }
    let total: usize = xsk
        .queues_mut()
        .iter_mut()
        .map(|q| q.free.len() + q.socket.fill().unwrap().pending() as usize)
        .sum();
    assert_eq!(total, 1024, "every frame is free or on a fill ring");

    drop(xsk);
    let q = pair
        .left
        .run(move || xsk_runtime::attach::query(ifindex))
        .unwrap()
        .unwrap();
    assert!(
        q.is_empty(),
        "dropping the XskInterface detached the program: {q:?}"
    );
}

fn open_reports_missing_interface_and_queue() {
    let pair = sandbox("open_reports_missing_interface_and_queue", 1);
    let e = pair
        .left
        .run(|| XskInterface::open("nope0", &XskInterfaceConfig::default()).unwrap_err())
        .unwrap();
    assert!(
        matches!(e, xsk_runtime::Error::UnknownInterface { .. }),
        "{e}"
    );
    let config = XskInterfaceConfig {
        queues: Queues::List(vec![0, 3]),
        umem: UmemConfig {
            frame_count: 256,
            ..Default::default()
        },
        socket: SocketConfig {
            mode: BindMode::Copy,
            ..Default::default()
        },
        ..Default::default()
    };
    let e = open_in_left(&pair, &config).unwrap_err();
    assert!(e.to_string().contains("queue 3 does not exist"), "{e}");
    // Nothing stays attached after the failed setup.
    let ifindex = pair.left.ifindex;
    let q = pair
        .left
        .run(move || xsk_runtime::attach::query(ifindex))
        .unwrap()
        .unwrap();
    assert!(q.is_empty());
}

/// A custom program's maps besides the XSKMAP stay reachable through the interface, by the
/// name the program uses, and they are the ones the attached program updates.
fn a_custom_program_keeps_its_other_maps() {
    const COUNTER: &str = "custom_seen";
    let pair = sandbox("a_custom_program_keeps_its_other_maps", 1);
    let src = format!(
        "r6 = r1\n\
         r2 = 0\n\
         *(u32 *)(r10 - 4) = r2\n\
         r1 = {COUNTER} ll\n\
         r2 = r10\n\
         r2 += -4\n\
         call bpf_map_lookup_elem\n\
         if r0 == 0 goto out\n\
         r1 = 1\n\
         lock *(u64 *)(r0 + 0) += r1\n\
         out:\n\
         r2 = *(u32 *)(r6 + 16)\n\
         r1 = xsks ll\n\
         r3 = XDP_PASS\n\
         call bpf_redirect_map\n\
         exit\n"
    );
    let counter = ebpf_dsl::MapSpec {
        name: COUNTER.into(),
        map_type: ebpf_dsl::MapType::Array,
        key_size: 4,
        value_size: 8,
        max_entries: 1,
        flags: 0,
        btf: None,
        inner: None,
    };
    let spec = ebpf_dsl::asm::assemble(&src)
        .expect("assembles")
        .into_program_spec(
            "custom_redir",
            ebpf_dsl::ProgramType::Xdp,
            "GPL",
            vec![counter],
        );
    let config = XskInterfaceConfig {
        queues: Queues::List(vec![0]),
        program: RedirectProgram::Custom(spec),
        umem: umem_2k(256),
        socket: copy_mode_config(64),
        ..Default::default()
    };
    let xsk = open_in_left(&pair, &config).expect("open XskInterface");
    let read = |xsk: &XskInterface| {
        let v = xsk
            .map::<xsk_runtime::maps::Map>(COUNTER)
            .expect("the counter map")
            .lookup(&0u32.to_ne_bytes())
            .expect("lookup")
            .expect("key 0");
        u64::from_ne_bytes(v.try_into().expect("8 bytes"))
    };
    assert_eq!(read(&xsk), 0);
    xsk.program().test_run(&[0u8; 64], 3).expect("test run");
    assert_eq!(read(&xsk), 3, "the attached program counts into this map");
    assert!(matches!(
        xsk.map::<xsk_runtime::maps::Map>("no_such_map"),
        Err(xsk_runtime::Error::NotFound { kind: "map", .. })
    ));
    assert!(
        xsk.map::<xsk_runtime::maps::XskMap>("xsks").is_ok(),
        "the XSKMAP is among the program's maps (and XskInterface::xskmap)"
    );
}

kernel_tests! {
    privileged: [
        udp_to_sockets_rest_to_the_stack_and_teardown_detaches,
        open_reports_missing_interface_and_queue,
        a_custom_program_keeps_its_other_maps,
    ],
}
