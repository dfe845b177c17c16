//! AF_XDP TX metadata on the real kernel (`xsk_runtime::xsk::tx_metadata`): a UMEM registered
//! with `tx_metadata_len`, packets sent with `XDP_TX_METADATA` through a veth pair in copy
//! mode, and what the probe says next to what the kernel does.
//!
//! What the kernel does on veth (copy mode; veth has no zero-copy and no `xsk_tx_metadata_ops`,
//! so its `xsk-features` are empty): the timestamp request is honoured in software — the
//! kernel writes `CLOCK_TAI` into the completion when the skb is freed; the checksum request
//! goes to veth as `CHECKSUM_PARTIAL`, which veth passes on without computing it, unless the
//! UMEM asked for software checksums (`XDP_UMEM_TX_SW_CSUM`). Each is checked on the bytes the
//! peer receives (an AF_PACKET socket on the right end) and the completion ring.
//!
//! Needs root; without root (and CI != "true") each test prints why it skips.

use xsk_testkit::kernel_tests;

mod xsk_common;

use std::time::Instant;

use xsk_common::*;
use xsk_runtime::os::clock_tai_ns;
use xsk_runtime::socket::XskSocket;
use xsk_runtime::umem::{Umem, UmemConfig};
use xsk_runtime::xsk::tx_metadata::{
    kernel_knows_launch_time, Honoured, TxChecksum, TxMetadataRequest, TxMetadataSupport,
    TX_METADATA_LEN,
};
use xsk_testkit::netns::{LEFT_IPV4, RIGHT_IPV4};

/// Where the packets start in their frames: past the metadata, not at its edge.
const OFFSET: u32 = 64;
const PACKETS: u32 = 32;
const DPORT: u16 = 9300;

fn umem_config(sw_csum: bool) -> UmemConfig {
    UmemConfig {
        tx_metadata_len: TX_METADATA_LEN,
        tx_sw_csum: sw_csum,
        ..umem_2k(256)
    }
}

/// The folded (not inverted) IPv4/UDP pseudo-header sum: what a `CHECKSUM_PARTIAL` packet
/// carries in its checksum field.
fn pseudo_header_sum(udp_len: u16) -> u16 {
    let mut p = Vec::new();
    p.extend_from_slice(&LEFT_IPV4.octets());
    p.extend_from_slice(&RIGHT_IPV4.octets());
    p.extend_from_slice(&[0, 17]);
    p.extend_from_slice(&udp_len.to_be_bytes());
    !csum(&p)
}

/// The seed of a left-to-right frame: the pseudo-header sum of its UDP length.
fn seed_of(frame: &[u8]) -> u16 {
    pseudo_header_sum((frame.len() - ETH_HDR - IP_HDR) as u16)
}

/// True if the UDP checksum of an Ethernet/IPv4/UDP frame from left to right verifies.
fn udp_checksum_ok(frame: &[u8]) -> bool {
    let udp = &frame[ETH_HDR + IP_HDR..];
    let mut p = Vec::new();
    p.extend_from_slice(&LEFT_IPV4.octets());
    p.extend_from_slice(&RIGHT_IPV4.octets());
    p.extend_from_slice(&[0, 17]);
    p.extend_from_slice(&(udp.len() as u16).to_be_bytes());
    p.extend_from_slice(udp);
    csum(&p) == 0
}

/// Sends `PACKETS` UDP frames from the left end with `request` (the checksum field seeded
/// with the pseudo-header sum), and returns what the right end received, the completion
/// timestamps, the TAI time before sending and the TAI time after the last completion.
fn send_with_metadata(
    test: &str,
    sw_csum: bool,
    request: TxMetadataRequest,
) -> (Vec<Vec<u8>>, Vec<Option<u64>>, u64, u64) {
    let pair = sandbox(test, 1);
    let (umem, mut free) = umem_in(&pair, umem_config(sw_csum));
    assert_eq!(umem.tx_metadata_len(), TX_METADATA_LEN);
    let mut sock =
        XskSocket::bind(&umem, pair.left.ifindex, 0, &copy_mode_config(256)).expect("bind");
    assert!(!sock.is_zero_copy());
    let receiver = pair
        .right
        .run(|| PacketSocket::open(pair.right.ifindex))
        .expect("netns");
    let t0 = clock_tai_ns();
    let mut stamps = Vec::new();
    let mut queued = 0;
    let deadline = Instant::now() + WAIT;
    while (queued < PACKETS || stamps.len() < PACKETS as usize) && Instant::now() < deadline {
        let rings = sock.rings();
        let tx = rings.tx.unwrap();
        let mut batch = tx.reserve(16);
        while batch.remaining() > 0 && queued < PACKETS {
            let Some(mut frame) = free.pop() else { break };
            let mut pkt = left_to_right(42000, DPORT, &payload(0x7e, queued));
            let seed = seed_of(&pkt).to_be_bytes();
            pkt[ETH_HDR + IP_HDR + 6..ETH_HDR + IP_HDR + 8].copy_from_slice(&seed);
            let at = OFFSET as usize;
            umem.frame_mut(&mut frame)[at..at + pkt.len()].copy_from_slice(&pkt);
            batch
                .push_with_metadata(frame, OFFSET, pkt.len() as u32, &request)
                .map_err(|r| r.error)
                .expect("a valid request with room reserved");
            queued += 1;
        }
        batch.submit();
        tx.kick_if_needed().expect("kick");
        let comp = rings.completion.unwrap();
        let mut done = comp.peek(64);
        for frame in done.by_ref() {
            stamps.push(umem.tx_timestamp(&frame, OFFSET));
            free.push(frame).unwrap();
        }
        done.release();
    }
    let t1 = clock_tai_ns();
    let got = receiver.receive(PACKETS as usize, |f| {
        parse_udp(f).is_some_and(|(_, d, _)| d == DPORT)
    });
    assert_eq!(sock.statistics().unwrap().tx_invalid_descs, 0);
    let c = sock.counters();
    assert_eq!(
        (c.transmitted, c.completed),
        (PACKETS as u64, PACKETS as u64)
    );
    assert_all_frames_home(&free);
    (got, stamps, t0, t1)
}

/// The branch of a kernel that refuses `tx_metadata_len` (the probe registers a UMEM with it;
/// TX metadata needs 6.8, the flag we use 6.11): a UMEM asking for it fails with EINVAL and
/// the hint naming the flag, and the probe calls every request unsupported. True when this
/// kernel took that branch (checked, printed), false when it takes TX metadata.
fn kernel_refuses_tx_metadata() -> bool {
    let s = TxMetadataSupport::probe(0);
    let Err(why) = &s.kernel else {
        return false;
    };
    println!("branch: the kernel refuses tx_metadata_len ({why}): checking the UMEM's error");
    let Err(e) = Umem::new(&umem_config(false)) else {
        panic!("the probe's UMEM was refused, yet this one registered");
    };
    assert_eq!(e.errno(), Some(libc::EINVAL), "{e}");
    assert!(
        e.hint()
            .unwrap_or_default()
            .contains("XDP_UMEM_TX_METADATA_LEN"),
        "{e:?}"
    );
    assert_eq!(s.timestamp(false), Honoured::Unsupported);
    assert_eq!(s.checksum(false, true), Honoured::Unsupported);
    assert_eq!(s.launch_time(false), Honoured::Unsupported);
    let e = s
        .require(&TxMetadataRequest::timestamp(), false, false)
        .unwrap_err()
        .to_string();
    assert!(e.contains("this kernel does not support it"), "{e}");
    true
}

fn umem_registers_with_tx_metadata_len() {
    if kernel_refuses_tx_metadata() {
        return;
    }
    // This kernel (6.18) takes tx_metadata_len with XDP_UMEM_TX_METADATA_LEN, and software
    // checksums (XDP_UMEM_TX_SW_CSUM).
    let (umem, free) = Umem::new(&umem_config(true)).expect("XDP_UMEM_REG with TX metadata");
    assert_eq!(umem.tx_metadata_len(), 24);
    assert!(umem.tx_sw_csum());
    assert!(free.is_complete());
    // The kernel's rule is a multiple of 8: 20 is caught before the kernel sees it.
    let e = UmemConfig {
        tx_metadata_len: 20,
        ..Default::default()
    }
    .validate()
    .unwrap_err()
    .to_string();
    assert!(e.contains("multiple of 8"), "{e}");
    let s = TxMetadataSupport::probe(1);
    assert_eq!(s.kernel, Ok(()), "{s:?}");
    // The launch-time flag: what the kernel's BTF says (struct xsk_tx_metadata), which every
    // release from 6.14 on has.
    let knows = kernel_knows_launch_time();
    println!("branch: the running kernel knows XDP_TXMD_FLAGS_LAUNCH_TIME: {knows}");
    assert_eq!(s.launch_time_flag, knows, "{s:?}");
    let release = std::fs::read_to_string("/proc/sys/kernel/osrelease").unwrap_or_default();
    let mut it = release.trim().split(|c: char| !c.is_ascii_digit());
    let (major, minor): (u32, u32) = (
        it.next().and_then(|x| x.parse().ok()).unwrap_or(0),
        it.next().and_then(|x| x.parse().ok()).unwrap_or(0),
    );
    if (major, minor) >= (6, 14) {
        assert!(knows, "{release}: 6.14 and later know the launch-time flag");
    }
}

fn probe_on_veth_reports_what_the_kernel_says() {
    if kernel_refuses_tx_metadata() {
        return;
    }
    let pair = sandbox("probe_on_veth_reports_what_the_kernel_says", 1);
    let (veth, lo) = pair
        .left
        .run(|| {
            (
                TxMetadataSupport::probe(pair.left.ifindex),
                TxMetadataSupport::probe(1),
            )
        })
        .expect("netns");
    println!("veth: {veth:#?}\nlo: {lo:#?}");
    assert_eq!(veth.kernel, Ok(()));
    // veth implements no zero-copy TX metadata ops: every xsk-features bit is clear.
    let dev = veth.device.clone().expect("netdev dev-get answers on 6.18");
    assert!(
        !dev.timestamp && !dev.checksum && !dev.launch_time,
        "{dev:?}"
    );
    // ... but all three RX metadata kfuncs (drivers/net/veth.c veth_xdp_metadata_ops); the
    // loopback device none, and no XDP features at all.
    let rx = veth.rx_metadata.expect("xdp-rx-metadata-features");
    assert!(rx.timestamp && rx.hash && rx.vlan_tag, "{rx:?}");
    assert_eq!(
        veth.xdp_features.map(|f| f & 3),
        Some(3),
        "basic + redirect"
    );
    let lo_rx = lo.rx_metadata.expect("lo answers too");
    assert!(!lo_rx.timestamp && !lo_rx.hash && !lo_rx.vlan_tag);
    assert_eq!(lo.xdp_features, Some(0));
    // What that means per request.
    assert_eq!(veth.timestamp(false), Honoured::InSoftware);
    assert_eq!(veth.timestamp(true), Honoured::Ignored);
    assert_eq!(veth.checksum(false, false), Honoured::PassedToDriver);
    assert_eq!(veth.checksum(false, true), Honoured::InSoftware);
    assert_eq!(veth.checksum(true, false), Honoured::Ignored);
    assert_eq!(
        veth.launch_time(false),
        if kernel_knows_launch_time() {
            Honoured::PassedToDriver
        } else {
            Honoured::Unsupported
        }
    );
    assert!(veth
        .require(&TxMetadataRequest::timestamp(), false, false)
        .is_ok());
    let e = veth
        .require(
            &TxMetadataRequest {
                checksum: Some(TxChecksum {
                    start: 34,
                    offset: 6,
                }),
                launch_time: Some(1),
                ..Default::default()
            },
            false,
            false,
        )
        .unwrap_err()
        .to_string();
    assert!(
        e.contains("TX checksum") && e.contains("launch time"),
        "{e}"
    );
}

fn timestamps_and_software_checksums_in_copy_mode() {
    if kernel_refuses_tx_metadata() {
        return;
    }
    let request = TxMetadataRequest {
        timestamp: true,
        checksum: Some(TxChecksum {
            start: (ETH_HDR + IP_HDR) as u16,
            offset: 6,
        }),
        launch_time: None,
    };
    let (got, stamps, t0, t1) = send_with_metadata(
        "timestamps_and_software_checksums_in_copy_mode",
        true,
        request,
    );
    // Every packet arrives, with its payload and a valid UDP checksum the kernel computed.
    assert_eq!(got.len(), PACKETS as usize);
    for (i, f) in got.iter().enumerate() {
        let (_, _, p) = parse_udp(f).unwrap();
        assert_eq!(p, &payload(0x7e, i as u32)[..], "packet {i}");
        assert!(
            udp_checksum_ok(f),
            "packet {i}: UDP checksum does not verify"
        );
    }
    // Every completion carries a software TX timestamp from CLOCK_TAI, taken between the
    // first send and the last completion, in completion order.
    assert_eq!(stamps.len(), PACKETS as usize);
    let mut last = t0;
    for (i, s) in stamps.iter().enumerate() {
        let ts = s.unwrap_or_else(|| panic!("completion {i} has no timestamp"));
        assert!(
            (last..=t1).contains(&ts),
            "completion {i}: {ts} not in [{last}, {t1}]"
        );
        last = ts;
    }
}

fn veth_passes_a_checksum_request_on_uncomputed() {
    if kernel_refuses_tx_metadata() {
        return;
    }
    // Without XDP_UMEM_TX_SW_CSUM the request reaches veth as CHECKSUM_PARTIAL, and veth
    // hands the skb to its peer as it is: the field still holds the pseudo-header seed —
    // what the probe calls PassedToDriver. The packets arrive all the same.
    let request = TxMetadataRequest {
        timestamp: false,
        checksum: Some(TxChecksum {
            start: (ETH_HDR + IP_HDR) as u16,
            offset: 6,
        }),
        launch_time: None,
    };
    let (got, stamps, _, _) = send_with_metadata(
        "veth_passes_a_checksum_request_on_uncomputed",
        false,
        request,
    );
    assert_eq!(got.len(), PACKETS as usize);
    for (i, f) in got.iter().enumerate() {
        let field = u16::from_be_bytes([f[ETH_HDR + IP_HDR + 6], f[ETH_HDR + IP_HDR + 7]]);
        assert_eq!(field, seed_of(f), "packet {i}");
        assert!(
            !udp_checksum_ok(f),
            "packet {i}: veth computed the checksum after all"
        );
    }
    // No timestamp was asked for: none is read back.
    assert!(stamps.iter().all(Option::is_none), "{stamps:?}");
}

fn veth_ignores_a_launch_time_in_copy_mode() {
    if kernel_refuses_tx_metadata() {
        return;
    }
    // A launch time a minute ahead: the kernel sets it as skb->tstamp and hands the skb to
    // veth directly (no qdisc), and veth sends at once — every packet arrives within the
    // test's 10 s bound, long before the launch time. The probe calls that PassedToDriver,
    // and `require` refuses to call it honoured.
    let launch = clock_tai_ns() + 60_000_000_000;
    let request = TxMetadataRequest {
        launch_time: Some(launch),
        ..Default::default()
    };
    if !kernel_knows_launch_time() {
        // Before 6.14 the kernel refuses the flag at the kick and the descriptor stalls the
        // ring: the request is refused before it reaches the ring, with the reason.
        println!("branch: the running kernel does not know the launch-time flag");
        let e = request.check(64).unwrap_err().to_string();
        assert!(
            e.contains("XDP_TXMD_FLAGS_LAUNCH_TIME") && e.contains("6.14"),
            "{e}"
        );
        return;
    }
    println!("branch: the running kernel knows the launch-time flag");
    let (got, stamps, _, t1) =
        send_with_metadata("veth_ignores_a_launch_time_in_copy_mode", false, request);
    assert_eq!(got.len(), PACKETS as usize);
    assert!(
        t1 < launch,
        "every packet was completed before its launch time"
    );
    assert!(stamps.iter().all(Option::is_none), "{stamps:?}");
}

/// Why `push_with_metadata` checks before the descriptor exists: metadata the kernel refuses
/// (here an unknown flag bit) makes copy-mode `sendto` fail with EINVAL and leaves the
/// descriptor at the head of the TX ring ("let application retry"): it is never completed,
/// and every later kick fails the same way.
fn the_kernel_stalls_on_metadata_it_refuses() {
    if kernel_refuses_tx_metadata() {
        return;
    }
    let pair = sandbox("the_kernel_stalls_on_metadata_it_refuses", 1);
    let (umem, mut free) = umem_in(&pair, umem_config(false));
    let mut sock =
        XskSocket::bind(&umem, pair.left.ifindex, 0, &copy_mode_config(64)).expect("bind");
    let mut frame = free.pop().unwrap();
    let pkt = left_to_right(42000, DPORT, &payload(0x11, 0));
    let at = OFFSET as usize;
    let md = (OFFSET - TX_METADATA_LEN) as usize;
    let bytes = umem.frame_mut(&mut frame);
    bytes[at..at + pkt.len()].copy_from_slice(&pkt);
    bytes[md..md + 8].copy_from_slice(&(1u64 << 40).to_ne_bytes());
    let tx = sock.tx().unwrap();
    let mut batch = tx.reserve(1);
    batch
        .push_with_options(
            frame,
            OFFSET,
            pkt.len() as u32,
            xsk_runtime::abi::XDP_TX_METADATA,
        )
        .unwrap();
    batch.submit();
    for _ in 0..3 {
        let e = tx.kick().expect_err("the kernel refuses the metadata");
        assert_eq!(e.errno(), Some(libc::EINVAL), "{e}");
    }
    std::thread::sleep(std::time::Duration::from_millis(50));
    let n = sock.completion().unwrap().complete_into(&mut free, 8);
    assert_eq!(n, 0, "the refused descriptor is never completed");
    assert_eq!(sock.tx().unwrap().pending(), 1, "it stays in the TX ring");
}

fn bad_requests_are_refused_before_the_ring() {
    if kernel_refuses_tx_metadata() {
        return;
    }
    let pair = sandbox("bad_requests_are_refused_before_the_ring", 1);
    // A UMEM without a metadata area.
    let (plain, mut plain_free) = umem_in(&pair, umem_2k(64));
    let mut sock =
        XskSocket::bind(&plain, pair.left.ifindex, 0, &copy_mode_config(64)).expect("bind");
    let frame = plain_free.pop().unwrap();
    let r = {
        let tx = sock.tx().unwrap();
        let mut batch = tx.reserve(4);
        batch.push_with_metadata(frame, 64, 60, &TxMetadataRequest::timestamp())
    };
    let r = r.unwrap_err();
    assert!(
        r.error.to_string().contains("tx_metadata_len"),
        "{}",
        r.error
    );
    plain_free.push(r.frame).unwrap();
    drop(sock);

    // The frame checks need no bound socket, only a UMEM with the metadata area.
    let (umem, mut free) = umem_in(&pair, umem_config(false));
    let mut f = free.pop().unwrap();
    // The packet must start after the metadata.
    let e = umem
        .write_tx_metadata(&mut f, 8, 60, &TxMetadataRequest::timestamp())
        .unwrap_err()
        .to_string();
    assert!(e.contains("must start at 24 or later"), "{e}");
    // The checksum field must lie inside the packet.
    let e = umem
        .write_tx_metadata(
            &mut f,
            64,
            40,
            &TxMetadataRequest {
                checksum: Some(TxChecksum {
                    start: 34,
                    offset: 6,
                }),
                ..Default::default()
            },
        )
        .unwrap_err()
        .to_string();
    assert!(e.contains("beyond the 40-byte packet"), "{e}");
    // Nothing was requested of this frame: no timestamp reads back.
    umem.write_tx_metadata(&mut f, 64, 60, &TxMetadataRequest::default())
        .unwrap();
    assert_eq!(umem.tx_timestamp(&f, 64), None);
    free.push(f).unwrap();
    assert!(free.is_complete());
}

kernel_tests! {
    privileged: [
        umem_registers_with_tx_metadata_len,
        probe_on_veth_reports_what_the_kernel_says,
        timestamps_and_software_checksums_in_copy_mode,
        veth_passes_a_checksum_request_on_uncomputed,
        veth_ignores_a_launch_time_in_copy_mode,
        the_kernel_stalls_on_metadata_it_refuses,
        bad_requests_are_refused_before_the_ring,
    ],
}
