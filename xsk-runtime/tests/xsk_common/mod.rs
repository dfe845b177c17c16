//! Shared helpers of the AF_XDP kernel tests: packets, the redirect program, receive loops,
//! and an AF_PACKET receiver for the peer side.
#![allow(dead_code)]

use std::net::UdpSocket;
use std::os::fd::{AsRawFd, FromRawFd, OwnedFd};
use std::time::{Duration, Instant};

use ebpf_dsl::{MapSpec, ProgramType};
use xsk_runtime::maps::XskMap;
use xsk_runtime::socket::{BindMode, SocketConfig, XskSocket};
use xsk_runtime::umem::{FreeList, Umem, UmemConfig};
use xsk_runtime::{Loader, Program};
use xsk_testkit::netns::{VethPair, LEFT_MAC, RIGHT_MAC};

#[path = "../common/packet.rs"]
mod packet;
pub use packet::*;

/// How long a test waits for packets before it gives up (a bound, not an assertion).
pub const WAIT: Duration = Duration::from_secs(10);

/// The UDP ports and payload of an Ethernet/IPv4/UDP frame.
pub fn parse_udp(frame: &[u8]) -> Option<(u16, u16, &[u8])> {
    if frame.len() < HDRS || frame[12..14] != [0x08, 0x00] || frame[ETH_HDR + 9] != 17 {
        return None;
    }
    let ihl = usize::from(frame[ETH_HDR] & 0x0f) * 4;
    let udp = frame.get(ETH_HDR + ihl..)?;
    if udp.len() < UDP_HDR {
        return None;
    }
    let sport = u16::from_be_bytes([udp[0], udp[1]]);
    let dport = u16::from_be_bytes([udp[2], udp[3]]);
    let ulen = usize::from(u16::from_be_bytes([udp[4], udp[5]]));
    let payload = udp.get(UDP_HDR..ulen)?;
    Some((sport, dport, payload))
}

/// Swaps the MAC addresses of an Ethernet frame (what l2fwd does).
pub fn swap_macs(frame: &mut [u8]) {
    for i in 0..6 {
        frame.swap(i, i + 6);
    }
}

/// Turns a UDP request into its answer in place: swaps MACs, IPv4 addresses and UDP ports,
/// and computes the UDP checksum afresh. (The IPv4 checksum stays valid: swapping does not
/// change a sum. The UDP checksum must be recomputed: a sender with checksum offload — veth —
/// leaves only the pseudo-header part in the field, which XDP sees as it is.)
pub fn echo_in_place(frame: &mut [u8]) {
    swap_macs(frame);
    for i in 0..4 {
        frame.swap(ETH_HDR + 12 + i, ETH_HDR + 16 + i);
    }
    let udp = ETH_HDR + usize::from(frame[ETH_HDR] & 0x0f) * 4;
    frame.swap(udp, udp + 2);
    frame.swap(udp + 1, udp + 3);
    let ulen = usize::from(u16::from_be_bytes([frame[udp + 4], frame[udp + 5]]));
    frame[udp + 6] = 0;
    frame[udp + 7] = 0;
    let mut pseudo = Vec::with_capacity(12 + ulen);
    pseudo.extend_from_slice(&frame[ETH_HDR + 12..ETH_HDR + 20]);
    pseudo.extend_from_slice(&[0, 17]);
    pseudo.extend_from_slice(&(ulen as u16).to_be_bytes());
    pseudo.extend_from_slice(&frame[udp..udp + ulen]);
    let c = match csum(&pseudo) {
        0 => 0xffff,
        c => c,
    };
    frame[udp + 6..udp + 8].copy_from_slice(&c.to_be_bytes());
}

/// The payload a test sends as packet `i`: recognisable and of varying length.
pub fn payload(tag: u8, i: u32) -> Vec<u8> {
    let len = 18 + (i as usize * 37) % 600;
    let mut p = vec![tag; len];
    p[..4].copy_from_slice(&i.to_be_bytes());
    for (k, b) in p.iter_mut().enumerate().skip(4) {
        *b = (k as u8).wrapping_mul(31) ^ (i as u8) ^ tag;
    }
    p
}

/// The XSKMAP named `xsks` and the guides' redirect-by-queue program (seed 1), loaded.
pub fn redirect_program(queues: u32) -> (XskMap, Program) {
    let xsks = XskMap::create("xsks", queues).expect("create XSKMAP");
    let asm = ebpf_dsl::asm::assemble(ebpf_dsl::seeds::SEED_REDIRECT_ALL_ASM)
        .expect("assemble the redirect seed");
    let spec = asm.into_program_spec(
        "xsk_redirect",
        ProgramType::Xdp,
        "GPL",
        Vec::<MapSpec>::new(),
    );
    let map = xsks.map().try_clone().expect("dup map");
    let mut loaded = Loader::new()
        .use_map(map)
        .program(spec)
        .load()
        .expect("load the redirect program");
    let prog = loaded.take_program("xsk_redirect").expect("program");
    (xsks, prog)
}

/// Attaches `prog` in native (driver) mode to the left end of `pair` with netlink; the
/// namespace's deletion detaches it.
pub fn attach_left(pair: &VethPair, prog: &Program) {
    xsk_runtime::os::set_xdp(
        Some(pair.left.ns.fd()),
        pair.left.ifindex,
        prog.fd().as_raw_fd(),
        xsk_runtime::abi::XDP_FLAGS_DRV_MODE,
    )
    .expect("attach XDP program to the left veth");
}

/// Receives until `want` packets arrived or [`WAIT`] passed, refilling the fill ring from
/// `free` and recycling every frame; returns copies of the packets' bytes.
pub fn receive(sock: &mut XskSocket, free: &mut FreeList, want: usize) -> Vec<Vec<u8>> {
    let umem = sock.umem().clone();
    let mut out = Vec::new();
    let deadline = Instant::now() + WAIT;
    while out.len() < want && Instant::now() < deadline {
        let rings = sock.rings();
        let fill = rings.fill.expect("fill ring");
        fill.fill_from(free, 64);
        fill.wake_if_needed().expect("wake");
        let rx = rings.rx.expect("rx ring");
        let mut batch = rx.recv(64);
        let mut got = 0;
        for pkt in batch.by_ref() {
            out.push(umem.packet(&pkt).to_vec());
            free.push(pkt.into_frame()).expect("same umem");
            got += 1;
        }
        batch.release();
        if got == 0 {
            let _ = sock.poll_rx(20);
        }
    }
    out
}

/// Takes every completed TX frame back onto `free`, waiting (bounded) until the kernel has
/// completed everything that was transmitted.
pub fn reap_completions(sock: &mut XskSocket, free: &mut FreeList) {
    let deadline = Instant::now() + WAIT;
    loop {
        let c = sock.counters();
        if c.completed >= c.transmitted || Instant::now() > deadline {
            break;
        }
        let rings = sock.rings();
        if let Some(tx) = rings.tx {
            tx.kick_if_needed().expect("kick");
        }
        let n = rings
            .completion
            .expect("completion ring")
            .complete_into(free, 256);
        if n == 0 {
            std::thread::sleep(Duration::from_millis(1));
        }
    }
}

/// Asserts the frame accounting of a single socket: every frame is on the free list or in the
/// fill ring waiting for the kernel, none is anywhere else, and none is on the list twice.
pub fn assert_frames_accounted(sock: &mut XskSocket, free: &FreeList) {
    let c = sock.counters();
    let in_fill = sock.fill().map_or(0, |f| f.pending()) as i64;
    assert_eq!(
        c.invalid, 0,
        "the kernel returned addresses outside the UMEM"
    );
    assert_eq!(
        c.in_kernel(),
        in_fill,
        "frames held by the kernel beyond the fill ring: {c:?}"
    );
    assert_eq!(
        free.len() as i64 + in_fill,
        i64::from(free.total()),
        "frames leaked: {} free + {} in the fill ring of {} ({c:?})",
        free.len(),
        in_fill,
        free.total()
    );
}

/// Checks the free list holds every frame exactly once (after the sockets are gone, or when
/// nothing is in any ring).
pub fn assert_all_frames_home(free: &FreeList) {
    assert!(
        free.is_complete(),
        "{} of {} frames on the free list, or a frame twice",
        free.len(),
        free.total()
    );
}

/// Brings every frame home at the end of an RX test: stops refilling, sends throw-away UDP
/// datagrams from the right end until the kernel has used up the fill ring, receives them,
/// and then checks that the free list holds every frame of the UMEM exactly once.
pub fn drain_and_check_all_frames_home(pair: &VethPair, sock: &mut XskSocket, free: &mut FreeList) {
    let sender = pair
        .right
        .run(|| UdpSocket::bind(("0.0.0.0", 0)).expect("bind"))
        .expect("netns");
    let total = free.total() as usize;
    let deadline = Instant::now() + WAIT;
    while free.len() < total && Instant::now() < deadline {
        let pending = sock.fill().map_or(0, |f| f.pending());
        for _ in 0..pending.min(32) {
            let _ = sender.send_to(b"drain", (xsk_testkit::netns::LEFT_IPV4, 9));
        }
        let mut batch = sock.rx().expect("rx ring").recv(64);
        for pkt in batch.by_ref() {
            free.push(pkt.into_frame()).expect("same umem");
        }
        batch.release();
        if let Some(comp) = sock.completion() {
            comp.complete_into(free, 64);
        }
        std::thread::sleep(Duration::from_millis(1));
    }
    assert_all_frames_home(free);
    let c = sock.counters();
    assert_eq!(c.in_kernel(), 0, "{c:?}");
}

/// A raw AF_PACKET socket on interface `ifindex` of the calling thread's namespace, receiving
/// every frame that arrives there (not the ones sent from it).
pub struct PacketSocket {
    fd: OwnedFd,
}

impl PacketSocket {
    pub fn open(ifindex: u32) -> PacketSocket {
        let proto = (libc::ETH_P_ALL as u16).to_be();
        // SAFETY: plain socket(2) call.
        let fd = unsafe { libc::socket(libc::AF_PACKET, libc::SOCK_RAW, i32::from(proto)) };
        assert!(
            fd >= 0,
            "AF_PACKET socket: {}",
            std::io::Error::last_os_error()
        );
        // SAFETY: fresh fd.
        let fd = unsafe { OwnedFd::from_raw_fd(fd) };
        // SAFETY: sockaddr_ll is plain old data.
        let mut sll: libc::sockaddr_ll = unsafe { std::mem::zeroed() };
        sll.sll_family = libc::AF_PACKET as u16;
        sll.sll_protocol = proto;
        sll.sll_ifindex = ifindex as i32;
        // SAFETY: sll is a valid sockaddr_ll of the size passed.
        let rc = unsafe {
            libc::bind(
                fd.as_raw_fd(),
                (&sll as *const libc::sockaddr_ll).cast(),
                std::mem::size_of::<libc::sockaddr_ll>() as u32,
            )
        };
        assert_eq!(rc, 0, "bind AF_PACKET: {}", std::io::Error::last_os_error());
        let tv = libc::timeval {
            tv_sec: 0,
            tv_usec: 100_000,
        };
        // SAFETY: tv is a valid timeval.
        unsafe {
            libc::setsockopt(
                fd.as_raw_fd(),
                libc::SOL_SOCKET,
                libc::SO_RCVTIMEO,
                (&tv as *const libc::timeval).cast(),
                std::mem::size_of::<libc::timeval>() as u32,
            )
        };
        PacketSocket { fd }
    }

    /// Receives incoming frames until `pred` has accepted `want` of them or [`WAIT`] passed.
    pub fn receive(&self, want: usize, mut pred: impl FnMut(&[u8]) -> bool) -> Vec<Vec<u8>> {
        let mut out = Vec::new();
        let deadline = Instant::now() + WAIT;
        let mut buf = vec![0u8; 65536];
        while out.len() < want && Instant::now() < deadline {
            // SAFETY: sockaddr_ll is plain old data.
            let mut from: libc::sockaddr_ll = unsafe { std::mem::zeroed() };
            let mut len = std::mem::size_of::<libc::sockaddr_ll>() as u32;
            // SAFETY: buf and from are valid for the sizes passed.
            let n = unsafe {
                libc::recvfrom(
                    self.fd.as_raw_fd(),
                    buf.as_mut_ptr().cast(),
                    buf.len(),
                    0,
                    (&mut from as *mut libc::sockaddr_ll).cast(),
                    &mut len,
                )
            };
            if n < 0 {
                continue;
            }
            if from.sll_pkttype == libc::PACKET_OUTGOING {
                continue;
            }
            let f = &buf[..n as usize];
            if pred(f) {
                out.push(f.to_vec());
            }
        }
        out
    }
}

/// The frame the left end would send to the right end.
pub fn left_to_right(sport: u16, dport: u16, payload: &[u8]) -> Vec<u8> {
    udp_frame(
        LEFT_MAC,
        RIGHT_MAC,
        xsk_testkit::netns::LEFT_IPV4,
        xsk_testkit::netns::RIGHT_IPV4,
        sport,
        dport,
        payload,
    )
}

/// Builds the test sandbox (`test` names it in the panic message if that fails). The harness
/// runs the tests that call it only where they may run (root, or CI=true).
pub fn sandbox(test: &str, queues: u32) -> VethPair {
    VethPair::builder()
        .tag("xsk")
        .queues(queues)
        .build()
        .unwrap_or_else(|e| panic!("{test}: build the veth sandbox: {e}"))
}

/// `XskInterface::open` on the left end of `pair`, from inside its namespace.
pub fn open_in_left(
    pair: &VethPair,
    config: &xsk_runtime::xsk::XskInterfaceConfig,
) -> xsk_runtime::Result<xsk_runtime::XskInterface> {
    let name = pair.left.name.clone();
    pair.left
        .run(|| xsk_runtime::XskInterface::open(&name, config))
        .expect("enter namespace")
}

/// Umem + free list created inside the left namespace.
pub fn umem_in(pair: &VethPair, config: UmemConfig) -> (Umem, FreeList) {
    pair.left
        .run(move || Umem::new(&config))
        .expect("enter namespace")
        .expect("create UMEM")
}

/// A copy-mode socket configuration with all four rings of `size` entries.
pub fn copy_mode_config(size: u32) -> SocketConfig {
    SocketConfig {
        rx_size: size,
        tx_size: size,
        fill_size: size,
        completion_size: size,
        mode: BindMode::Copy,
        ..Default::default()
    }
}

/// A UMEM of `count` frames of 2048 bytes.
pub fn umem_2k(count: u32) -> UmemConfig {
    UmemConfig {
        frame_size: 2048,
        frame_count: count,
        ..Default::default()
    }
}

/// What [`queue0`] set up besides the socket and its frames; keep it alive for the test's
/// length.
pub struct Attached {
    pub xsks: XskMap,
    pub prog: Program,
    pub umem: Umem,
}

/// The one-queue setup: the redirect program and its XSKMAP, a UMEM (`umem`) made in the left
/// namespace, a socket bound to the left end's queue 0 with `config` and entered at key 0, and
/// the program attached to the left end (nothing on the fill ring yet). Returns the UMEM's
/// free list and the socket.
pub fn queue0(
    pair: &VethPair,
    umem: UmemConfig,
    config: &SocketConfig,
) -> (Attached, FreeList, XskSocket) {
    let (xsks, prog) = redirect_program(1);
    let (umem, free) = umem_in(pair, umem);
    let sock = XskSocket::bind(&umem, pair.left.ifindex, 0, config).expect("bind");
    xsks.set(0, sock.fd()).expect("enter socket into XSKMAP");
    attach_left(pair, &prog);
    (Attached { xsks, prog, umem }, free, sock)
}

/// One turn of an in-place forwarder (echo, l2fwd) on `sock`: completed frames back to
/// `free`, the fill ring refilled (with a wake-up if asked for), then up to 32 received
/// packets passed to `rewrite`, which rewrites one in place and returns true to send it back,
/// or false to put its frame back on `free`; the kept ones are queued on TX, submitted and
/// kicked. Returns how many were queued.
pub fn forward_turn(
    sock: &mut XskSocket,
    free: &mut FreeList,
    mut rewrite: impl FnMut(&mut [u8]) -> bool,
) -> usize {
    let umem = sock.umem().clone();
    let rings = sock.rings();
    let (rx, tx, fill, comp) = (
        rings.rx.unwrap(),
        rings.tx.unwrap(),
        rings.fill.unwrap(),
        rings.completion.unwrap(),
    );
    comp.complete_into(free, 64);
    fill.fill_from(free, 64);
    fill.wake_if_needed().unwrap();
    let mut queued = 0;
    let mut batch = rx.recv(32);
    let mut out = tx.reserve(batch.len());
    for mut pkt in batch.by_ref() {
        if !rewrite(umem.packet_mut(&mut pkt)) {
            free.push(pkt.into_frame()).unwrap();
            continue;
        }
        match out.push_packet(pkt) {
            Ok(()) => queued += 1,
            Err(pkt) => free.push(pkt.into_frame()).unwrap(),
        }
    }
    out.submit();
    batch.release();
    tx.kick_if_needed().unwrap();
    queued
}
