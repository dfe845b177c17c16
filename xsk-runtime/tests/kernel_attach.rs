//! Attaching XDP programs on a veth pair in fresh network namespaces: link and netlink,
//! replace, detach, query, errors, real packets with verdicts counted in a map, live-frames
//! injection, and a killed process leaving nothing attached.

use xsk_testkit::kernel_tests;

mod common;

use std::io::{BufRead, BufReader};
use std::net::UdpSocket;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use common::{asm, recv_up_to, udp_frame};
use ebpf_dsl::{MapSpec, MapType};
use xsk_runtime::attach::{
    query, AttachMethod, AttachOptions, AttachedMode, XdpAttachment, XdpMode,
};
use xsk_runtime::maps::Array;
use xsk_runtime::test_run::LiveFramesOptions;
use xsk_runtime::{Error, Loader, Program};
use xsk_testkit::netns::{VethPair, LEFT_IPV4, LEFT_MAC, RIGHT_IPV4, RIGHT_MAC};

fn pass_prog(name: &'static str) -> Program {
    Program::load(&asm(name, "r0 = XDP_PASS\nexit", vec![]), &[]).unwrap()
}

/// Counts UDP packets to port 7777 in slot 0 and drops them; counts the rest in slot 1 and
/// passes them.
const COUNT_DROP_7777: &str = "
    r2 = *(u32 *)(r1 + 0)
    r3 = *(u32 *)(r1 + 4)
    r4 = r2
    r4 += 38
    if r4 > r3 goto other
    r4 = *(u8 *)(r2 + 23)
    if r4 != IPPROTO_UDP goto other
    r4 = *(u16 *)(r2 + 36)
    if r4 != 0x611e goto other
    r1 = map_value(verdicts, 0) ll
    r2 = 1
    lock *(u64 *)(r1 + 0) += r2
    r0 = XDP_DROP
    exit
other:
    r1 = map_value(verdicts, 8) ll
    r2 = 1
    lock *(u64 *)(r1 + 0) += r2
    r0 = XDP_PASS
    exit";

fn verdicts_spec() -> MapSpec {
    MapSpec {
        name: "verdicts".into(),
        map_type: MapType::Array,
        key_size: 4,
        value_size: 16,
        max_entries: 1,
        flags: 0,
        btf: None,
        inner: None,
    }
}

fn packets_across_veth_get_the_programs_verdicts() {
    let pair = VethPair::builder().tag("verdict").build().unwrap();
    let loaded = Loader::new()
        .program(asm("count_drop", COUNT_DROP_7777, vec![verdicts_spec()]))
        .load()
        .unwrap();
    let prog = loaded.program("count_drop").unwrap();
    let att = pair
        .left
        .run(|| prog.attach_xdp(&pair.left.name))
        .unwrap()
        .unwrap();
    assert_eq!(att.method(), AttachMethod::Link);
    let (dropped_sock, passed_sock) = pair
        .left
        .run(|| {
            (
                UdpSocket::bind((LEFT_IPV4, 7777)).unwrap(),
                UdpSocket::bind((LEFT_IPV4, 7778)).unwrap(),
            )
        })
        .unwrap();
    pair.right
        .run(|| {
            let s = UdpSocket::bind((RIGHT_IPV4, 0)).unwrap();
            for i in 0..10u8 {
                s.send_to(&[i; 32], (LEFT_IPV4, 7777)).unwrap();
            }
            for i in 0..5u8 {
                s.send_to(&[i; 32], (LEFT_IPV4, 7778)).unwrap();
            }
        })
        .unwrap();
    let passed = recv_up_to(&passed_sock, 5, Duration::from_secs(5));
    assert_eq!(passed.len(), 5);
    let counts: Array<[u64; 2]> = loaded.map("verdicts").unwrap();
    let [dropped, others] = counts.get(0).unwrap();
    assert_eq!(dropped, 10);
    assert!(others >= 5, "others = {others}");
    dropped_sock.set_nonblocking(true).unwrap();
    let mut buf = [0u8; 64];
    assert!(
        dropped_sock.recv(&mut buf).is_err(),
        "a dropped packet arrived"
    );
    drop(att);
}

fn link_attach_replace_detach_query() {
    let pair = VethPair::builder().tag("link").build().unwrap();
    let a = pass_prog("prog_a");
    let b = pass_prog("prog_b");
    let c = pass_prog("prog_c");
    pair.left
        .run(|| {
            let idx = pair.left.ifindex;
            assert!(query(idx).unwrap().is_empty());
            let mut att = XdpAttachment::attach(&a, idx, AttachOptions::default()).unwrap();
            assert_eq!(att.method(), AttachMethod::Link);
            assert!(att.link_id().is_some());
            let q = query(idx).unwrap();
            assert_eq!(q.attached, AttachedMode::Driver, "{q:?}");
            assert_eq!(q.program_ids(), vec![a.id()]);
            // A second attachment is refused, and the error says why.
            let e = XdpAttachment::attach(&b, idx, AttachOptions::default()).unwrap_err();
            assert!(
                matches!(e.errno(), Some(libc::EBUSY) | Some(libc::EEXIST)),
                "{e}"
            );
            assert!(e.to_string().contains("already attached"), "{e}");
            // Netlink cannot take over a link's attachment either.
            let e = XdpAttachment::attach(
                &b,
                idx,
                AttachOptions {
                    method: AttachMethod::Netlink,
                    ..Default::default()
                },
            )
            .unwrap_err();
            assert!(e.errno().is_some(), "{e}");
            // Atomic replace.
            att.replace(&b).unwrap();
            assert_eq!(query(idx).unwrap().program_ids(), vec![b.id()]);
            assert_eq!(att.program_id(), b.id());
            att.replace(&c).unwrap();
            assert_eq!(query(idx).unwrap().program_ids(), vec![c.id()]);
            att.detach().unwrap();
            assert!(query(idx).unwrap().is_empty());
            // Dropping detaches as well.
            let att = XdpAttachment::attach(&a, idx, AttachOptions::default()).unwrap();
            assert!(!query(idx).unwrap().is_empty());
            drop(att);
            assert!(query(idx).unwrap().is_empty());
        })
        .unwrap();
}

fn netlink_attach_modes_replace_detach() {
    let pair = VethPair::builder().tag("nl").build().unwrap();
    let a = pass_prog("nl_a");
    let b = pass_prog("nl_b");
    pair.left
        .run(|| {
            let idx = pair.left.ifindex;
            for (mode, seen) in [
                (XdpMode::Generic, AttachedMode::Generic),
                (XdpMode::Driver, AttachedMode::Driver),
            ] {
                let opts = AttachOptions {
                    mode,
                    method: AttachMethod::Netlink,
                };
                let mut att = XdpAttachment::attach(&a, idx, opts).unwrap();
                assert_eq!(att.method(), AttachMethod::Netlink);
                let q = query(idx).unwrap();
                assert_eq!(q.attached, seen, "{q:?}");
                assert_eq!(q.program_ids(), vec![a.id()]);
                // Attaching again without replace: refused (UPDATE_IF_NOEXIST).
                let e = XdpAttachment::attach(&b, idx, opts).unwrap_err();
                assert!(e.to_string().contains("already attached"), "{e}");
                att.replace(&b).unwrap();
                assert_eq!(query(idx).unwrap().program_ids(), vec![b.id()]);
                att.detach().unwrap();
                assert!(query(idx).unwrap().is_empty());
            }
            // Hardware offload is not something veth does.
            let e = XdpAttachment::attach(
                &a,
                idx,
                AttachOptions {
                    mode: XdpMode::Hardware,
                    method: AttachMethod::Netlink,
                },
            )
            .unwrap_err();
            assert!(e.errno().is_some(), "{e}");
            eprintln!("hardware mode on veth: {e}");
            assert!(query(idx).unwrap().is_empty());
        })
        .unwrap();
    // Dropping the attachment from another thread (another namespace) detaches in the right
    // namespace.
    let att = pair
        .left
        .run(|| {
            XdpAttachment::attach(
                &a,
                pair.left.ifindex,
                AttachOptions {
                    mode: XdpMode::Generic,
                    method: AttachMethod::Netlink,
                },
            )
            .unwrap()
        })
        .unwrap();
    drop(att);
    let q = pair.left.run(|| query(pair.left.ifindex).unwrap()).unwrap();
    assert!(q.is_empty(), "{q:?}");
}

fn unknown_interface_errors() {
    let a = pass_prog("unknown_if");
    let e = a.attach_xdp("no-such-iface0").unwrap_err();
    assert!(matches!(e, Error::UnknownInterface { .. }), "{e}");
    assert!(e.to_string().contains("ip -br link"), "{e}");
    let e = XdpAttachment::attach(&a, 999_999, AttachOptions::default()).unwrap_err();
    assert!(matches!(e, Error::UnknownInterface { .. }), "{e}");
}

/// Live frames inject real packets where the kernel runs them. Where it refuses them (kernel
/// before 5.18, or one built or patched to refuse them: EPERM even to root), the feature
/// probe says so and the run fails with the kernel's errno, typed, with a hint; no frame
/// arrives. Which branch ran is printed.
fn live_frames_inject_packets_into_an_interface() {
    let probe = xsk_runtime::features::Features::probe().live_frames;
    let pair = VethPair::builder().tag("live").build().unwrap();
    // The receiving veth end needs an XDP program for frames sent with XDP_TX to reach it.
    let pass = pass_prog("live_pass");
    let _rx_att = pair
        .right
        .run(|| pass.attach_xdp(&pair.right.name))
        .unwrap()
        .unwrap();
    let sock = pair
        .right
        .run(|| UdpSocket::bind((RIGHT_IPV4, 9100)).unwrap())
        .unwrap();
    let tx = Program::load(&asm("live_tx", "r0 = XDP_TX\nexit", vec![]), &[]).unwrap();
    let frame = udp_frame(
        LEFT_MAC,
        RIGHT_MAC,
        LEFT_IPV4,
        RIGHT_IPV4,
        9000,
        9100,
        b"live frame",
    );
    const N: u32 = 50;
    let run = pair
        .left
        .run(|| {
            tx.run_live_frames(
                &frame,
                &LiveFramesOptions {
                    ifindex: pair.left.ifindex,
                    rx_queue_index: 0,
                    repeat: N,
                    batch_size: 16,
                },
            )
        })
        .unwrap();
    if probe.available {
        println!(
            "live frames run here ({}): checking the packets",
            probe.detail
        );
        run.expect("the probe found live frames");
        let got = recv_up_to(&sock, N as usize, Duration::from_secs(5));
        assert_eq!(got.len(), N as usize);
        assert!(got.iter().all(|p| p == b"live frame"));
        return;
    }
    println!(
        "this kernel refuses live frames (probe: {}): checking the error",
        probe.detail
    );
    let e = run.expect_err("the probe says live frames are refused, yet the run worked");
    println!("{e}");
    assert!(
        matches!(&e, Error::Io { op, .. } if *op == "BPF_PROG_TEST_RUN(LIVE_FRAMES)"),
        "{e:?}"
    );
    let errno = e.errno().expect("an errno");
    // The probe and the run get the same answer from the kernel.
    assert_eq!(xsk_runtime::error::errno_name(errno), probe.detail, "{e}");
    assert!(
        matches!(errno, libc::EPERM | libc::EOPNOTSUPP | libc::EINVAL | 524),
        "{e}"
    );
    let hint = e.hint().expect("a hint");
    if errno != libc::EINVAL {
        assert_eq!(hint, xsk_runtime::test_run::LIVE_FRAMES_REFUSED_HINT, "{e}");
    } else {
        assert!(hint.contains("live frames need kernel 5.18"), "{e}");
    }
    // Nothing was sent.
    let got = recv_up_to(&sock, 1, Duration::from_millis(300));
    assert!(got.is_empty(), "{got:?}");
}

/// Kills (SIGKILL) and reaps the child if the test fails half-way.
struct KillOnDrop(std::process::Child);

impl Drop for KillOnDrop {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

const CHILD_ENV: &str = "XSK_RUNTIME_TEST_HOLD_LINK";

/// In the child: join the namespace, load and attach with a bpf_link, report, wait to be killed.
fn child_hold_link(spec: &str) -> ! {
    let (ns, iface) = spec.split_once(':').unwrap();
    let fd = std::fs::File::open(format!("/run/netns/{ns}")).unwrap();
    // Only this (main test) thread moves; the process has nothing else to do.
    xsk_runtime::os::setns_net(std::os::fd::AsFd::as_fd(&fd)).unwrap();
    let p = pass_prog("held_by_child");
    let att = p.attach_xdp(iface).unwrap();
    // Straight to fd 1, past the test harness's output capture.
    use std::io::Write;
    let mut out = std::fs::OpenOptions::new()
        .write(true)
        .open("/dev/stdout")
        .unwrap();
    writeln!(out, "ATTACHED {} {:?}", p.id(), att.method()).unwrap();
    drop(out);
    std::thread::sleep(Duration::from_secs(30));
    // Never reached in the test: the parent kills us well before.
    std::process::exit(3);
}

fn sigkill_of_the_holder_leaves_nothing_attached() {
    if let Ok(spec) = std::env::var(CHILD_ENV) {
        child_hold_link(&spec);
    }
    let pair = VethPair::builder().tag("kill").build().unwrap();
    let exe = std::env::current_exe().unwrap();
    let mut child = Command::new(exe)
        .args([
            "--exact",
            "sigkill_of_the_holder_leaves_nothing_attached",
            "--test-threads=1",
        ])
        .env(
            CHILD_ENV,
            format!("{}:{}", pair.left.ns.name(), pair.left.name),
        )
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut out = BufReader::new(child.stdout.take().unwrap());
    let mut child = KillOnDrop(child);
    let mut line = String::new();
    // The harness may have printed "test NAME ... " on the same line before our words.
    while !line.contains("ATTACHED ") {
        line.clear();
        if out.read_line(&mut line).unwrap() == 0 {
            panic!("child exited before attaching: {:?}", child.0.wait());
        }
    }
    let words = &line[line.find("ATTACHED ").unwrap()..];
    let id: u32 = words.split_whitespace().nth(1).unwrap().parse().unwrap();
    assert!(line.contains("Link"), "{line}");
    let idx = pair.left.ifindex;
    let q = pair.left.run(|| query(idx).unwrap()).unwrap();
    assert_eq!(q.program_ids(), vec![id], "the child's program is attached");
    child.0.kill().unwrap(); // SIGKILL
    child.0.wait().unwrap();
    // The link is released when the dead process's files are closed; allow for the kernel's
    // deferred release, bounded.
    let start = Instant::now();
    loop {
        let q = pair.left.run(|| query(idx).unwrap()).unwrap();
        if q.is_empty() {
            break;
        }
        assert!(
            start.elapsed() < Duration::from_secs(10),
            "still attached after the holder died: {q:?}"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
}

fn driver_mode_on_loopback_is_not_supported() {
    // A fresh namespace's loopback has no native XDP.
    let ns = xsk_testkit::netns::NetNs::new("lo-mode").unwrap();
    let p = pass_prog("lo_drv");
    ns.run(|| {
        for method in [AttachMethod::Link, AttachMethod::Netlink] {
            let e = XdpAttachment::attach_by_name(
                &p,
                "lo",
                AttachOptions {
                    mode: XdpMode::Driver,
                    method,
                },
            )
            .unwrap_err();
            eprintln!("{method:?}: {e}");
            assert_eq!(e.errno(), Some(libc::EOPNOTSUPP), "{e}");
            assert!(
                e.to_string()
                    .contains("does not support XDP in Driver mode"),
                "{e}"
            );
        }
        // Generic mode works everywhere.
        let att = XdpAttachment::attach_by_name(
            &p,
            "lo",
            AttachOptions {
                mode: XdpMode::Generic,
                method: AttachMethod::Link,
            },
        )
        .unwrap();
        let q = query(att.ifindex()).unwrap();
        assert_eq!(q.attached, AttachedMode::Generic, "{q:?}");
    })
    .unwrap();
}

fn pinned_link_outlives_its_handle() {
    let dir = std::path::Path::new(xsk_runtime::pin::DEFAULT_BPFFS);
    xsk_runtime::pin::ensure_bpffs(dir).unwrap();
    let pin = dir.join(format!("xskrt_test_link_{}", std::process::id()));
    // Removes the pin even if the test fails half-way.
    let _guard = common::RemoveOnDrop(pin.clone());
    let pair = VethPair::builder().tag("pinlink").build().unwrap();
    let a = pass_prog("pinned_a");
    let b = pass_prog("pinned_b");
    pair.left
        .run(|| {
            let idx = pair.left.ifindex;
            let mut att = a.attach_xdp(&pair.left.name).unwrap();
            att.pin(&pin).unwrap();
            drop(att);
            // Still attached: the pin holds the link.
            assert_eq!(query(idx).unwrap().program_ids(), vec![a.id()]);
            let mut again = XdpAttachment::from_pinned(&pin).unwrap();
            assert_eq!(again.ifindex(), idx);
            assert_eq!(again.program_id(), a.id());
            again.replace(&b).unwrap();
            assert_eq!(query(idx).unwrap().program_ids(), vec![b.id()]);
            again.detach().unwrap();
            assert!(query(idx).unwrap().is_empty());
            xsk_runtime::pin::unpin(&pin).unwrap();
            assert!(!pin.exists());
        })
        .unwrap();
}

kernel_tests! {
    privileged: [
        packets_across_veth_get_the_programs_verdicts,
        link_attach_replace_detach_query,
        netlink_attach_modes_replace_detach,
        unknown_interface_errors,
        live_frames_inject_packets_into_an_interface,
        sigkill_of_the_holder_leaves_nothing_attached,
        driver_mode_on_loopback_is_not_supported,
        pinned_link_outlives_its_handle,
    ],
}
