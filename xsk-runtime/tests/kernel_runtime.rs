//! Runtime pieces against the real kernel: the veth sandbox and the feature probe. (They were
//! in-crate `#[cfg(test)]` tests; here the harness reports them ignored, with the reason, when
//! they may not run.)

use xsk_testkit::kernel_tests;

use xsk_runtime::features::Features;
use xsk_testkit::netns::{VethPair, LEFT_IPV4, RIGHT_IPV4};

fn veth_pair_traffic_and_cleanup() {
    let pair = VethPair::builder()
        .tag("selftest")
        .queues(2)
        .build()
        .unwrap();
    let (lname, rname) = (
        pair.left.ns.name().to_owned(),
        pair.right.ns.name().to_owned(),
    );
    assert!(pair.left.ifindex > 0 && pair.right.ifindex > 0);
    let rx = pair
        .left
        .run(|| std::net::UdpSocket::bind((LEFT_IPV4, 0)).unwrap())
        .unwrap();
    rx.set_read_timeout(Some(std::time::Duration::from_secs(5)))
        .unwrap();
    let port = rx.local_addr().unwrap().port();
    pair.right
        .run(move || {
            let s = std::net::UdpSocket::bind((RIGHT_IPV4, 0)).unwrap();
            s.send_to(b"ping", (LEFT_IPV4, port)).unwrap();
        })
        .unwrap();
    let mut buf = [0u8; 16];
    let (n, from) = rx.recv_from(&mut buf).unwrap();
    assert_eq!(&buf[..n], b"ping");
    assert_eq!(from.ip(), std::net::IpAddr::V4(RIGHT_IPV4));
    // The host namespace does not see the interfaces.
    assert!(xsk_runtime::os::if_nametoindex(&pair.left.name).is_err());
    drop(rx);
    drop(pair);
    let list = xsk_testkit::netns::ip(&["netns", "list"]).unwrap();
    assert!(!list.contains(&lname) && !list.contains(&rname), "{list}");
}

/// The probe's answers are true on this kernel: every row is available on 6.18 (this machine
/// and CI), except that a kernel may refuse live frames (this machine's 6.18.44 build answers
/// EPERM even to root); then the operation really fails with the errno the probe reports, and
/// the table says so. An older kernel lacks newer rows (6.1: `XDP_USE_SG`); each such row is
/// printed, must carry the kernel's refusal and be shown as `no` (`xsk_multibuf` checks that a
/// real bind with the flag fails there). The rows the runtime's base needs are available
/// everywhere. Available rows that cost nothing to try are tried again.
fn this_kernel_has_everything() {
    let f = Features::probe();
    let table = f.to_string();
    eprintln!("{table}");
    for p in [&f.xskmap, &f.af_xdp, &f.xdp_link, &f.test_run] {
        assert!(p.available, "{}\n{table}", p.detail);
    }
    for (name, _, p) in f.rows() {
        if std::ptr::eq(p, &f.live_frames) || p.available {
            continue;
        }
        println!("branch: this kernel lacks {name}: {}", p.detail);
        assert!(p.detail.starts_with('E'), "{name}: {}", p.detail);
        assert!(
            table
                .lines()
                .any(|l| l.starts_with(name) && l.contains(" no ") && l.contains(&p.detail)),
            "{table}"
        );
    }
    assert!(table.contains("bpf_link for XDP"));

    // The test-run rows: a plain run of XDP_DROP works.
    let drop = xsk_runtime::program::Program::load_insns(
        "feat_drop",
        ebpf_dsl::ProgramType::Xdp,
        "GPL",
        &[
            ebpf_dsl::Insn::new(0xb7, 0, 0, 0, 1),
            ebpf_dsl::Insn::new(0x95, 0, 0, 0, 0),
        ],
        &xsk_runtime::program::LoadOptions::default(),
    )
    .unwrap();
    let r = drop.test_run(&[0u8; 64], 1).unwrap();
    assert_eq!(r.retval, 1, "XDP_DROP");

    // Live frames: as the probe does, one dropped frame on loopback — of a private namespace
    // (a thread's own), so nothing could leave even if the frame were not dropped.
    let live = std::thread::scope(|s| {
        s.spawn(|| {
            xsk_runtime::os::unshare_net().expect("unshare(CLONE_NEWNET)");
            drop.run_live_frames(
                &[0u8; 64],
                &xsk_runtime::test_run::LiveFramesOptions {
                    ifindex: 1,
                    rx_queue_index: 0,
                    repeat: 1,
                    batch_size: 1,
                },
            )
        })
        .join()
        .expect("the probing thread")
    });
    let row = &f.live_frames;
    if row.available {
        eprintln!("live frames: available, and a run works");
        live.expect("the probe found live frames");
    } else {
        let e = live.expect_err("the probe says live frames are refused, yet a run worked");
        eprintln!(
            "live frames: refused ({}), and a run fails: {e}",
            row.detail
        );
        let errno = e.errno().expect("an errno");
        assert_eq!(xsk_runtime::error::errno_name(errno), row.detail, "{e}");
        assert!(e.hint().is_some(), "{e}");
        assert!(
            table
                .lines()
                .any(|l| l.starts_with("live frames (XDP_LIVE_FRAMES)")
                    && l.contains(" no ")
                    && l.contains(&row.detail)),
            "{table}"
        );
    }
}

/// The helper probe finds what the kernel refuses a program type: the tc-only helpers for XDP
/// (`bpf_skb_store_bytes`, #9) and XDP's for socket filters (`bpf_xdp_adjust_head`, #44), never
/// the map helpers every type has; each refusal is the kernel's (a load of `call N` fails with
/// "cannot use helper"), and the answer is cached.
fn the_helper_probe_finds_what_the_kernel_refuses() {
    use ebpf_dsl::ProgramType;
    let xdp = xsk_runtime::features::unavailable_helpers(ProgramType::Xdp).expect("probe");
    let sock =
        xsk_runtime::features::unavailable_helpers(ProgramType::SocketFilter).expect("probe");
    eprintln!("withheld from xdp: {xdp:?}\nwithheld from socket filters: {sock:?}");
    assert!(xdp.contains(&9) && !xdp.contains(&44), "{xdp:?}");
    assert!(sock.contains(&44), "{sock:?}");
    for id in 1..=3 {
        assert!(!xdp.contains(&id) && !sock.contains(&id));
    }
    assert!(xdp.windows(2).all(|w| w[0] < w[1]));
    for &id in xdp {
        let insns = [
            ebpf_dsl::Insn::new(0x85, 0, 0, 0, id as i32),
            ebpf_dsl::Insn::new(0xb7, 0, 0, 0, 0),
            ebpf_dsl::Insn::new(0x95, 0, 0, 0, 0),
        ];
        let err = xsk_runtime::program::Program::load_insns(
            "probe_again",
            ProgramType::Xdp,
            "GPL",
            &insns,
            &xsk_runtime::program::LoadOptions::default(),
        )
        .expect_err("a withheld helper loads");
        let log = err.verifier_log().unwrap_or_default();
        assert!(
            log.contains("cannot use helper")
                || log.contains("unknown func")
                || log.contains("invalid func"),
            "#{id}: {log}"
        );
        // The error names the helper the kernel's words name.
        if log.contains("cannot use helper") {
            assert_eq!(err.withheld_helper(), Some(id), "{err}");
            assert_eq!(
                err.hint(),
                Some(xsk_runtime::error::HINT_HELPER_NOT_OFFERED),
                "{err}"
            );
        }
    }
    let again = xsk_runtime::features::unavailable_helpers(ProgramType::Xdp).expect("probe");
    assert!(std::ptr::eq(xdp, again), "cached");
}

kernel_tests! {
    privileged: [
        veth_pair_traffic_and_cleanup,
        this_kernel_has_everything,
        the_helper_probe_finds_what_the_kernel_refuses,
    ],
}
