//! Socket options and kernel counters: XDP_STATISTICS when the fill ring runs dry, sockets
//! without need_wakeup, busy polling, XDP_MAX_TX_SKB_BUDGET, huge pages.

use xsk_testkit::kernel_tests;

mod xsk_common;

use std::net::UdpSocket;
use std::time::{Duration, Instant};

use xsk_common::*;
use xsk_runtime::socket::{BusyPoll, SocketConfig, XskSocket};
use xsk_runtime::umem::{Umem, UmemConfig};
use xsk_testkit::netns::LEFT_IPV4;

fn cfg(need_wakeup: bool) -> SocketConfig {
    SocketConfig {
        need_wakeup,
        ..copy_mode_config(64)
    }
}

fn umem_cfg() -> UmemConfig {
    umem_2k(128)
}

fn statistics_count_drops_when_the_fill_ring_is_empty() {
    let pair = sandbox("statistics_count_drops_when_the_fill_ring_is_empty", 1);
    let (_attached, mut free, mut sock) = queue0(&pair, umem_cfg(), &cfg(true));
    // Only 4 frames on the fill ring, then 20 packets: 16 must be dropped and counted.
    assert_eq!(sock.fill().unwrap().fill_from(&mut free, 4), 4);
    pair.right
        .run(|| {
            let s = UdpSocket::bind(("0.0.0.0", 0)).unwrap();
            for i in 0..20u32 {
                s.send_to(&i.to_be_bytes(), (LEFT_IPV4, 9001)).unwrap();
            }
        })
        .unwrap();
    let mut received = 0;
    let deadline = Instant::now() + WAIT;
    while Instant::now() < deadline {
        let mut b = sock.rx().unwrap().recv(64);
        for pkt in b.by_ref() {
            received += 1;
            free.push(pkt.into_frame()).unwrap();
        }
        b.release();
        let s = sock.statistics().unwrap();
        if received == 4 && s.rx_dropped + s.rx_fill_ring_empty_descs >= 16 {
            break;
        }
        std::thread::sleep(Duration::from_millis(5));
    }
    let s = sock.statistics().unwrap();
    assert_eq!(received, 4, "exactly the 4 filled frames were used");
    assert!(s.rx_fill_ring_empty_descs >= 16, "{s:?}");
    assert!(s.rx_dropped >= 16, "{s:?}");
    assert_eq!(s.rx_invalid_descs, 0);
    // (In copy mode the kernel never sets need_wakeup on the fill ring: receiving runs in
    // the sender's softirq. Drivers with zero-copy set it when the ring runs dry.)
    assert_frames_accounted(&mut sock, &free);
    assert_all_frames_home(&free);
}

fn socket_without_need_wakeup_transmits_with_a_kick_per_submit() {
    let pair = sandbox(
        "socket_without_need_wakeup_transmits_with_a_kick_per_submit",
        1,
    );
    let (umem, mut free) = umem_in(&pair, umem_cfg());
    let mut sock = XskSocket::bind(&umem, pair.left.ifindex, 0, &cfg(false)).unwrap();
    assert!(!sock.uses_need_wakeup());
    let receiver = pair
        .right
        .run(|| {
            let s = UdpSocket::bind(("0.0.0.0", 9002)).unwrap();
            s.set_read_timeout(Some(Duration::from_millis(100)))
                .unwrap();
            s
        })
        .unwrap();
    let mut batch = sock.tx().unwrap().reserve(8);
    for i in 0..8u32 {
        let mut f = free.pop().unwrap();
        let pkt = left_to_right(50000, 9002, &i.to_be_bytes());
        umem.frame_mut(&mut f)[..pkt.len()].copy_from_slice(&pkt);
        batch.push(f, 0, pkt.len() as u32).unwrap();
    }
    assert_eq!(batch.submit(), 8);
    assert!(
        sock.tx().unwrap().kick_if_needed().unwrap(),
        "without need_wakeup every kick is a syscall"
    );
    let mut got = Vec::new();
    let mut buf = [0u8; 64];
    let deadline = Instant::now() + WAIT;
    while got.len() < 8 && Instant::now() < deadline {
        if let Ok((n, _)) = receiver.recv_from(&mut buf) {
            got.push(buf[..n].to_vec());
        } else {
            sock.tx().unwrap().kick().unwrap();
        }
    }
    let want: Vec<Vec<u8>> = (0..8u32).map(|i| i.to_be_bytes().to_vec()).collect();
    assert_eq!(got, want);
    reap_completions(&mut sock, &mut free);
    assert_all_frames_home(&free);
}

fn busy_poll_and_tx_budget_options_are_accepted() {
    let pair = sandbox("busy_poll_and_tx_budget_options_are_accepted", 1);
    let (umem, _free) = umem_in(&pair, umem_cfg());
    let sock = XskSocket::bind(&umem, pair.left.ifindex, 0, &cfg(true)).unwrap();
    sock.set_busy_poll(&BusyPoll::default())
        .expect("SO_PREFER_BUSY_POLL, SO_BUSY_POLL, SO_BUSY_POLL_BUDGET");
    // XDP_MAX_TX_SKB_BUDGET exists from kernel 6.17: accept its absence with the right hint.
    match sock.set_max_tx_skb_budget(64) {
        Ok(()) => {
            let e = sock.set_max_tx_skb_budget(1 << 20).unwrap_err();
            assert!(
                e.to_string().contains("between 32 and the TX ring size"),
                "{e}"
            );
        }
        Err(e) => assert!(e.to_string().contains("older than 6.17"), "{e}"),
    }
    let o = sock.options().unwrap();
    assert_eq!(o.flags, 0, "copy mode");
}

fn huge_page_umem_works_or_says_how_to_get_huge_pages() {
    let config = UmemConfig {
        frame_size: 4096,
        frame_count: 512, // 2 MiB: one huge page
        huge_pages: true,
        ..Default::default()
    };
    // What this machine can give, read before the call: the outcome is predictable.
    let expect = HugePages::read().expect();
    println!("huge pages: {expect:?}");
    match Umem::new(&config) {
        Ok((umem, free)) => {
            assert_ne!(
                expect,
                HugeOutcome::MustFail,
                "MAP_HUGETLB without a huge page"
            );
            assert_eq!(umem.len(), 2 << 20);
            assert!(free.is_complete());
        }
        Err(e) => {
            assert_ne!(
                expect,
                HugeOutcome::MustSucceed,
                "free huge pages, yet: {e}"
            );
            assert!(matches!(e, xsk_runtime::Error::Io { .. }), "{e:?}");
            assert_eq!(e.errno(), Some(libc::ENOMEM), "{e}");
            let msg = e.to_string();
            assert!(msg.contains("MAP_HUGETLB"), "{msg}");
            assert!(msg.contains("nr_hugepages"), "{msg}");
        }
    }
}

/// What `mmap(MAP_HUGETLB)` of one 2 MiB UMEM must do on this machine.
#[derive(Debug, PartialEq)]
enum HugeOutcome {
    /// Enough free huge pages in the pool.
    MustSucceed,
    /// No free huge page and no overcommit: ENOMEM.
    MustFail,
    /// Too few free pages, but surplus pages may be allocated (nr_overcommit_hugepages).
    EitherWay,
}

/// The huge page pool, from /proc/meminfo and /proc/sys/vm.
#[derive(Debug)]
struct HugePages {
    free: u64,
    size_kb: u64,
    overcommit: u64,
}

impl HugePages {
    fn read() -> HugePages {
        let meminfo = std::fs::read_to_string("/proc/meminfo").expect("/proc/meminfo");
        let field = |name: &str| -> u64 {
            meminfo
                .lines()
                .find_map(|l| l.strip_prefix(name))
                .and_then(|v| v.split_whitespace().next())
                .and_then(|v| v.parse().ok())
                .unwrap_or_else(|| panic!("no {name} in /proc/meminfo"))
        };
        let overcommit = std::fs::read_to_string("/proc/sys/vm/nr_overcommit_hugepages")
            .ok()
            .and_then(|v| v.trim().parse().ok())
            .unwrap_or(0);
        HugePages {
            free: field("HugePages_Free:"),
            size_kb: field("Hugepagesize:"),
            overcommit,
        }
    }

    fn expect(&self) -> HugeOutcome {
        let pages_needed = (2048 + self.size_kb - 1) / self.size_kb.max(1);
        if self.free >= pages_needed {
            HugeOutcome::MustSucceed
        } else if self.overcommit == 0 && self.free == 0 {
            HugeOutcome::MustFail
        } else {
            HugeOutcome::EitherWay
        }
    }
}

fn umem_with_tx_metadata_registers() {
    // struct xsk_tx_metadata is 24 bytes; the kernel takes it with XDP_UMEM_TX_METADATA_LEN
    // (6.11+). The 32-byte xdp_umem_reg carries it. A kernel without it (the probe's own
    // registration says so, not the release) refuses the UMEM with the hint.
    let support = xsk_runtime::xsk::tx_metadata::TxMetadataSupport::probe(0);
    let made = Umem::new(&UmemConfig {
        frame_size: 2048,
        frame_count: 16,
        tx_metadata_len: 24,
        ..Default::default()
    });
    match &support.kernel {
        Ok(()) => {
            println!("branch: the kernel takes tx_metadata_len");
            let (umem, free) = made.expect("XDP_UMEM_REG with tx_metadata_len");
            assert_eq!(umem.tx_metadata_len(), 24);
            assert!(free.is_complete());
        }
        Err(why) => {
            println!("branch: the kernel refuses tx_metadata_len ({why}): checking the error");
            let Err(e) = made else {
                panic!("the probe refused it, yet the UMEM registered");
            };
            assert_eq!(e.errno(), Some(libc::EINVAL), "{e}");
            let hint = e.hint().unwrap_or_default();
            assert!(hint.contains("XDP_UMEM_TX_METADATA_LEN"), "{e}");
        }
    }
    let e = UmemConfig {
        tx_metadata_len: 6,
        ..Default::default()
    }
    .validate()
    .unwrap_err();
    assert!(e.to_string().contains("multiple of 4"), "{e}");
}

kernel_tests! {
    privileged: [
        statistics_count_drops_when_the_fill_ring_is_empty,
        socket_without_need_wakeup_transmits_with_a_kick_per_submit,
        busy_poll_and_tx_budget_options_are_accepted,
        huge_page_umem_works_or_says_how_to_get_huge_pages,
        umem_with_tx_metadata_registers,
    ],
}
