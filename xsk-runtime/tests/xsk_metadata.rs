//! XDP RX metadata to AF_XDP on the real kernel: a device-bound XDP program on the left end
//! of a veth sandbox calls the metadata kfuncs (`bpf_xdp_metadata_rx_hash`,
//! `bpf_xdp_metadata_rx_timestamp`, resolved by name from the running kernel's BTF), writes
//! their results in front of the packet (`write_rx_metadata`), and redirects to an AF_XDP
//! socket; user space reads them back with `Umem::rx_metadata`.
//!
//! What veth gives (drivers/net/veth.c): the hash is the skb's flow hash (`skb_get_hash`), so
//! it is non-zero and the same for every packet of one flow; the timestamp is the skb's
//! hardware timestamp, 0 for packets sent between namespaces (nothing stamps them), and
//! `-ENODATA` for frames that have no skb.
//!
//! A kernel built or patched to withhold `bpf_xdp_adjust_meta` (#54) from XDP programs (the
//! probe `features::unavailable_helpers` says so, never the version) lets no program write
//! the metadata area: there the test checks the typed errors instead (the probe's
//! `Error::HelperUnavailable`, and the load's `Error::Verifier` naming the helper) and what
//! still works (a device-bound program's kfunc results counted in a map per flow, its packets
//! redirected to the socket intact), and prints which branch it took.
//!
//! Needs root; without root (and CI != "true") each test prints why it skips.

use xsk_testkit::kernel_tests;

mod xsk_common;

use std::collections::BTreeMap;
use std::net::UdpSocket;
use std::time::Instant;

use ebpf_dsl::dsl::Program as DslProgram;
use ebpf_dsl::ir::build::ldxw;
use ebpf_dsl::xdp::metadata::{write_rx_metadata, XdpRxMeta, RX_META_LEN};
use ebpf_dsl::xdp::{redirect_to_xsk, DEFAULT_XSK_FLAGS};
use ebpf_dsl::Reg;
use xsk_common::*;
use xsk_runtime::maps::{HashMap, XskMap};
use xsk_runtime::program::LoadOptions;
use xsk_runtime::socket::XskSocket;
use xsk_runtime::Program;
use xsk_testkit::netns::LEFT_IPV4;

use ebpf_dsl_macros::{defmap, defprogram};

defmap! {
    /// AF_XDP sockets by queue (the name `xsks` is what both programs relocate against).
    XSKS: xskmap(key = u32, value = u32, max_entries = 1);
    /// Packets per (UDP source port in network order, RX hash), counted by `FLOW_HASH`.
    FLOW_HASHES: hash(key = u64, value = u64, max_entries = 16);
}

defprogram! {
    /// What works without `bpf_xdp_adjust_meta`: the RX hash kfunc in a device-bound program,
    /// its result counted in `FLOW_HASHES` by source port for the UDP datagrams to port 9300,
    /// every packet redirected to the socket of its queue unchanged.
    FLOW_HASH: xdp(license = "GPL", name = "xdp_flow_hash") {
        r6 = r1;
        r1 = 0;
        *(u64 *)(r10 - 8) = r1;
        *(u64 *)(r10 - 16) = r1;
        r2 = *(u32 *)(r6 + 0);
        r3 = *(u32 *)(r6 + 4);
        r4 = r2;
        r4 += 42;
        if r4 > r3 goto redirect;
        r4 = *(u8 *)(r2 + 23);
        if r4 != 17 goto redirect;
        r4 = *(u16 *)(r2 + 36);
        if r4 != 0x5424 goto redirect;
        r4 = *(u16 *)(r2 + 34);
        *(u32 *)(r10 - 8) = r4;
        r1 = r6;
        r2 = r10;
        r2 += -4;
        r3 = r10;
        r3 += -16;
        call bpf_xdp_metadata_rx_hash;
        if r0 != 0 goto redirect;
        r1 = FLOW_HASHES ll;
        r2 = r10;
        r2 += -8;
        call bpf_map_lookup_elem;
        if r0 == 0 goto insert;
        r1 = 1;
        lock *(u64 *)(r0 + 0) += r1;
        goto redirect;
    insert:
        r1 = 1;
        *(u64 *)(r10 - 24) = r1;
        r1 = FLOW_HASHES ll;
        r2 = r10;
        r2 += -8;
        r3 = r10;
        r3 += -24;
        r4 = 0;
        call bpf_map_update_elem;
    redirect:
        r2 = *(u32 *)(r6 + 16);
        r1 = XSKS ll;
        r3 = XDP_PASS;
        call bpf_redirect_map;
        exit;
    }
}

/// `bpf_xdp_adjust_meta`, which both metadata programs call.
const ADJUST_META: u32 = 54;

defprogram! {
    /// The second path to the same hash, written in the assembler syntax: only
    /// `bpf_xdp_metadata_rx_hash`, its hash and return code as 8 bytes of metadata.
    RAW_HASH: xdp(license = "GPL", name = "xdp_raw_hash") {
        r6 = r1;
        r1 = 0;
        *(u64 *)(r10 - 8) = r1;
        r1 = r6;
        r2 = r10;
        r2 += -8;
        r3 = r10;
        r3 += -4;
        call bpf_xdp_metadata_rx_hash;
        r7 = r0;
        r1 = r6;
        r2 = -8;
        call bpf_xdp_adjust_meta;
        if r0 != 0 goto redirect;
        r2 = *(u32 *)(r6 + 8);
        r3 = *(u32 *)(r6 + 0);
        r4 = r2;
        r4 += 8;
        if r4 > r3 goto redirect;
        r1 = *(u32 *)(r10 - 8);
        *(u32 *)(r2 + 0) = r1;
        *(u32 *)(r2 + 4) = r7;
    redirect:
        r2 = *(u32 *)(r6 + 16);
        r1 = XSKS ll;
        r3 = XDP_PASS;
        call bpf_redirect_map;
        exit;
    }
}

const ENODATA: i32 = 61;
/// `XDP_RSS_L4` of `enum xdp_rss_hash_type`.
const XDP_RSS_L4: u32 = 1 << 3;

/// The RX metadata kfuncs the metadata program calls (6.3).
const RX_KFUNCS: [&str; 2] = ["bpf_xdp_metadata_rx_timestamp", "bpf_xdp_metadata_rx_hash"];

/// The branch of a kernel whose BTF lacks some of `kfuncs` (the kfunc ids the loader resolves
/// calls with, not the release): `load` must fail before `BPF_PROG_LOAD` with the typed error
/// naming a missing kfunc. True if this kernel took that branch (checked), false if it has
/// them all.
fn lacks_kfuncs(kfuncs: &[&str], load: impl FnOnce() -> xsk_runtime::Result<Program>) -> bool {
    let ids = xsk_runtime::bpf::kfunc::vmlinux_kfunc_ids().expect("the kernel's kfunc ids");
    let missing: Vec<&str> = kfuncs
        .iter()
        .copied()
        .filter(|k| !ids.contains_key(k))
        .collect();
    if missing.is_empty() {
        return false;
    }
    println!("branch: the running kernel's BTF lacks {missing:?}: checking the loader's error");
    let err = load().expect_err("a program calling a kfunc the kernel lacks loads");
    let text = err.to_string();
    assert!(
        missing
            .iter()
            .any(|k| text.contains(&format!("calls `{k}`")))
            && text.contains("which the running kernel does not have"),
        "{text}"
    );
    true
}

/// The metadata program: kfuncs -> metadata area -> redirect by queue to `xsks`.
fn metadata_spec() -> ebpf_dsl::ProgramSpec {
    let mut p = DslProgram::xdp("xdp_rx_meta");
    p.license("GPL");
    p.extend(write_rx_metadata("meta_done"));
    p.push(ldxw(Reg::R2, Reg::R6, 16)); // ctx->rx_queue_index
    p.extend(redirect_to_xsk("xsks", Reg::R2, DEFAULT_XSK_FLAGS));
    p.build().expect("build the metadata program")
}

/// Sends `sent` from the right end in two flows (source ports 43000 and 43001, alternating)
/// to port 9300 of the left end, and receives them on `sock`: (source port, payload, the
/// `meta_len` bytes in front of the packet) of each.
fn send_and_receive(
    pair: &xsk_testkit::netns::VethPair,
    sock: &mut XskSocket,
    free: &mut xsk_runtime::umem::FreeList,
    sent: &[Vec<u8>],
    meta_len: u32,
) -> Vec<(u16, Vec<u8>, Vec<u8>)> {
    let umem = sock.umem().clone();
    pair.right
        .run(|| {
            let socks: Vec<UdpSocket> = (0..2)
                .map(|k| UdpSocket::bind(("0.0.0.0", 43000 + k)).expect("bind udp"))
                .collect();
            for (i, p) in sent.iter().enumerate() {
                socks[i % 2]
                    .send_to(p, (LEFT_IPV4, 9300))
                    .expect("send udp");
            }
        })
        .expect("run in right namespace");
    let mut got = Vec::new();
    let deadline = Instant::now() + WAIT;
    while got.len() < sent.len() && Instant::now() < deadline {
        let rings = sock.rings();
        let fill = rings.fill.expect("fill ring");
        fill.fill_from(free, 64);
        fill.wake_if_needed().expect("wake");
        let mut batch = rings.rx.expect("rx ring").recv(64);
        let mut n = 0;
        for pkt in batch.by_ref() {
            n += 1;
            if let Some((sport, 9300, payload)) = parse_udp(umem.packet(&pkt)) {
                let meta = umem
                    .packet_metadata(&pkt, meta_len)
                    .expect("the frame has room for metadata in front of the data");
                got.push((sport, payload.to_vec(), meta.to_vec()));
            }
            free.push(pkt.into_frame()).expect("same umem");
        }
        batch.release();
        if n == 0 {
            let _ = sock.poll_rx(20);
        }
    }
    assert_eq!(got.len(), sent.len(), "every datagram reaches the socket");
    got
}

fn device_bound_program_hands_rx_hash_to_af_xdp() {
    if lacks_kfuncs(&RX_KFUNCS, || {
        let xsks = XskMap::create(XSKS.name_str(), 1).expect("create XSKMAP");
        Program::load_with(&metadata_spec(), &[xsks.map()], &LoadOptions::default())
    }) {
        return;
    }
    let withheld = xsk_runtime::features::unavailable_helpers(ebpf_dsl::ProgramType::Xdp)
        .expect("probe the helpers the kernel withholds from XDP programs")
        .contains(&ADJUST_META);
    if withheld {
        eprintln!(
            "branch: the running kernel withholds bpf_xdp_adjust_meta (#54) from XDP programs: \
             checking the typed errors and what still works"
        );
        return without_adjust_meta();
    }
    eprintln!(
        "branch: the running kernel offers bpf_xdp_adjust_meta to XDP programs: checking the \
         metadata in front of each packet"
    );
    xsk_runtime::xsk::metadata::check_rx_metadata_support("the test's metadata program")
        .expect("the probe and check_rx_metadata_support agree");
    let pair = sandbox("device_bound_program_hands_rx_hash_to_af_xdp", 1);
    let xsks = XskMap::create(XSKS.name_str(), 1).expect("create XSKMAP");
    let spec = metadata_spec();
    let ifindex = pair.left.ifindex;
    // prog_ifindex names a device of the loading thread's namespace.
    let prog = pair
        .left
        .run(|| Program::load_with(&spec, &[xsks.map()], &LoadOptions::device_bound(ifindex)))
        .expect("enter namespace")
        .unwrap_or_else(|e| panic!("load the device-bound metadata program: {e}"));
    let (umem, mut free) = umem_in(&pair, umem_2k(512));
    let mut sock =
        XskSocket::bind(&umem, pair.left.ifindex, 0, &copy_mode_config(256)).expect("bind");
    xsks.set(0, sock.fd()).expect("enter socket into XSKMAP");
    attach_left(&pair, &prog);
    sock.fill().unwrap().fill_from(&mut free, 256);

    let sent: Vec<Vec<u8>> = (0..40).map(|i| payload(0x5e, i)).collect();
    let got = send_and_receive(&pair, &mut sock, &mut free, &sent, RX_META_LEN);
    let got: Vec<(u16, Vec<u8>, XdpRxMeta)> = got
        .into_iter()
        .map(|(sport, p, meta)| (sport, p, XdpRxMeta::parse(&meta).expect("24 bytes")))
        .collect();
    assert_eq!(got.len(), sent.len(), "every datagram reaches the socket");

    // The data is untouched by the metadata in front of it.
    let mut payloads: Vec<Vec<u8>> = got.iter().map(|(_, p, _)| p.clone()).collect();
    payloads.sort_by_key(|p| u32::from_be_bytes([p[0], p[1], p[2], p[3]]));
    assert!(payloads == sent, "payloads arrive byte-identical");

    let mut per_flow: BTreeMap<u16, Vec<XdpRxMeta>> = BTreeMap::new();
    for (sport, _, meta) in &got {
        per_flow.entry(*sport).or_default().push(*meta);
    }
    assert_eq!(per_flow.keys().copied().collect::<Vec<_>>(), [43000, 43001]);
    let mut flow_hash = Vec::new();
    for (sport, metas) in &per_flow {
        let first = metas[0];
        eprintln!("flow {sport}: {first:?}");
        let (hash, _type) = first
            .rx_hash()
            .unwrap_or_else(|| panic!("veth gives the skb hash, got {first:?}"));
        assert_ne!(hash, 0, "a flow hash is never 0 (skb_get_hash)");
        for m in metas {
            assert_eq!(m.rx_hash(), first.rx_hash(), "one flow, one hash: {m:?}");
            // veth: the skb's hardware timestamp (0: nothing stamped a packet from another
            // namespace), or -ENODATA for a frame without an skb.
            match m.rx_timestamp() {
                Some(ts) => assert_eq!(ts, 0, "no hardware stamped this packet: {m:?}"),
                None => assert_eq!(m.timestamp_err, -ENODATA, "{m:?}"),
            }
            // XDP_RSS_L4 (bit 3): the skb's flow hash covers the UDP ports (skb->l4_hash).
            assert_ne!(m.hash_type & XDP_RSS_L4, 0, "{m:?}");
        }
        flow_hash.push(hash);
    }
    assert_ne!(
        flow_hash[0], flow_hash[1],
        "different source ports, different flow hashes"
    );

    // The second path: the defprogram! program replaces the first on the same interface and
    // socket; the same flows must carry the same hashes.
    let raw = pair
        .left
        .run(|| {
            Program::load_with(
                &RAW_HASH,
                &[xsks.map()],
                &LoadOptions::device_bound(ifindex),
            )
        })
        .expect("enter namespace")
        .unwrap_or_else(|e| panic!("load the defprogram! metadata program: {e}"));
    attach_left(&pair, &raw);
    drop(prog);
    let again = send_and_receive(&pair, &mut sock, &mut free, &sent, 8);
    for (sport, _, meta) in &again {
        let hash = u32::from_le_bytes([meta[0], meta[1], meta[2], meta[3]]);
        let err = i32::from_le_bytes([meta[4], meta[5], meta[6], meta[7]]);
        assert_eq!(err, 0, "flow {sport}");
        let want = per_flow[sport][0].hash;
        assert_eq!(hash, want, "flow {sport}: both programs read the same hash");
    }
    drop(sock);
    drop(raw);
}

/// The branch of a kernel that withholds `bpf_xdp_adjust_meta` from XDP programs: the typed
/// error before loading, the loads' refusals naming the helper, and what still works (the
/// hash kfunc in a device-bound program, its results in a map: one non-zero hash per flow,
/// different for the two flows; the packets reach the socket byte-identical).
fn without_adjust_meta() {
    let err = xsk_runtime::xsk::metadata::check_rx_metadata_support("the test's metadata program")
        .expect_err("the probe says the kernel withholds bpf_xdp_adjust_meta");
    let xsk_runtime::Error::HelperUnavailable {
        needed_by,
        prog_type,
        helper,
        hint,
    } = &err
    else {
        panic!("Error::HelperUnavailable, got {err:?}");
    };
    assert_eq!(
        (needed_by.as_ref(), *prog_type, *helper),
        (
            "the test's metadata program",
            ebpf_dsl::ProgramType::Xdp,
            ADJUST_META
        )
    );
    assert_eq!(hint, xsk_runtime::xsk::metadata::HINT_NO_ADJUST_META);
    assert_eq!(err.withheld_helper(), Some(ADJUST_META));
    assert!(
        err.to_string().starts_with(
            "the test's metadata program needs bpf_xdp_adjust_meta (helper #54), which the \
             running kernel withholds from xdp programs"
        ),
        "{err}"
    );

    let pair = sandbox("device_bound_program_hands_rx_hash_to_af_xdp", 1);
    let xsks = XskMap::create(XSKS.name_str(), 1).expect("create XSKMAP");
    let ifindex = pair.left.ifindex;
    // Loaded anyway, both metadata programs are refused, the error naming the helper.
    for spec in [metadata_spec(), RAW_HASH.clone()] {
        let err = pair
            .left
            .run(|| Program::load_with(&spec, &[xsks.map()], &LoadOptions::device_bound(ifindex)))
            .expect("enter namespace")
            .expect_err("the kernel refuses bpf_xdp_adjust_meta");
        assert!(
            matches!(err, xsk_runtime::Error::Verifier { .. }),
            "{}: {err:?}",
            spec.name
        );
        assert_eq!(err.withheld_helper(), Some(ADJUST_META), "{err}");
        assert_eq!(
            err.hint(),
            Some(xsk_runtime::error::HINT_HELPER_NOT_OFFERED)
        );
        assert!(
            err.to_string().contains(
                "the kernel does not offer bpf_xdp_adjust_meta (helper #54) to programs of this type"
            ),
            "{err}"
        );
    }

    // What still works: the kfunc's hash per flow, counted in a map.
    let flows: HashMap<[u8; 8], u64> =
        HashMap::create(FLOW_HASHES.name_str(), 16).expect("create the hash map");
    let prog = pair
        .left
        .run(|| {
            Program::load_with(
                &FLOW_HASH,
                &[xsks.map(), flows.map()],
                &LoadOptions::device_bound(ifindex),
            )
        })
        .expect("enter namespace")
        .unwrap_or_else(|e| panic!("load the device-bound flow hash program: {e}"));
    let (umem, mut free) = umem_in(&pair, umem_2k(512));
    let mut sock =
        XskSocket::bind(&umem, pair.left.ifindex, 0, &copy_mode_config(256)).expect("bind");
    xsks.set(0, sock.fd()).expect("enter socket into XSKMAP");
    attach_left(&pair, &prog);
    sock.fill().unwrap().fill_from(&mut free, 256);
    let sent: Vec<Vec<u8>> = (0..40).map(|i| payload(0x5e, i)).collect();
    let got = send_and_receive(&pair, &mut sock, &mut free, &sent, 0);
    let mut payloads: Vec<Vec<u8>> = got.iter().map(|(_, p, _)| p.clone()).collect();
    payloads.sort_by_key(|p| u32::from_be_bytes([p[0], p[1], p[2], p[3]]));
    assert!(payloads == sent, "payloads arrive byte-identical");
    let mut per_flow: BTreeMap<u16, Vec<(u32, u64)>> = BTreeMap::new();
    for (key, count) in flows.entries_batch(16).expect("read the map") {
        let sport = u16::from_be_bytes([key[0], key[1]]);
        let hash = u32::from_le_bytes([key[4], key[5], key[6], key[7]]);
        per_flow.entry(sport).or_default().push((hash, count));
    }
    eprintln!("per flow (hash, packets): {per_flow:?}");
    assert_eq!(per_flow.keys().copied().collect::<Vec<_>>(), [43000, 43001]);
    let mut flow_hash = Vec::new();
    for (sport, hashes) in &per_flow {
        assert_eq!(
            hashes.len(),
            1,
            "flow {sport}: one flow, one hash: {hashes:?}"
        );
        let (hash, count) = hashes[0];
        assert_ne!(hash, 0, "a flow hash is never 0 (skb_get_hash)");
        assert_eq!(count, 20, "flow {sport}: every datagram counted");
        flow_hash.push(hash);
    }
    assert_ne!(
        flow_hash[0], flow_hash[1],
        "different source ports, different flow hashes"
    );
    drop(sock);
    drop(prog);
}

/// `call bpf_xdp_metadata_rx_vlan_tag` (Linux 6.8) resolves and the kernel accepts its
/// arguments (two 2-byte outputs on the stack) in a device-bound program. (Its result on veth
/// needs an skb with a VLAN tag outside the frame, i.e. a VLAN device on the far end; this
/// test kernel may lack 802.1Q, so only the load is checked here.) A kernel whose BTF lacks
/// the kfunc gets the loader's error naming it.
fn rx_vlan_tag_program_loads_device_bound() {
    let text = "
        r6 = r1
        r1 = 0
        *(u64 *)(r10 - 8) = r1
        r1 = r6
        r2 = r10
        r2 += -8
        r3 = r10
        r3 += -6
        call bpf_xdp_metadata_rx_vlan_tag
        r0 = 2
        exit
    ";
    let a = ebpf_dsl::asm::assemble_unchecked(text).expect("assemble");
    let spec = a.into_program_spec(
        "xdp_vlan_tag",
        ebpf_dsl::ProgramType::Xdp,
        "GPL",
        Vec::<ebpf_dsl::MapSpec>::new(),
    );
    // A kernel whose BTF lacks the kfunc (before 6.8): the loader's error names it.
    if lacks_kfuncs(&["bpf_xdp_metadata_rx_vlan_tag"], || {
        Program::load_with(&spec, &[], &LoadOptions::default())
    }) {
        return;
    }
    let pair = sandbox("rx_vlan_tag_program_loads_device_bound", 1);
    let ifindex = pair.left.ifindex;
    let prog = pair
        .left
        .run(|| Program::load_with(&spec, &[], &LoadOptions::device_bound(ifindex)))
        .expect("enter namespace")
        .unwrap_or_else(|e| panic!("load the rx_vlan_tag program: {e}"));
    attach_left(&pair, &prog);
}

fn metadata_kfuncs_without_device_binding_are_refused() {
    let xsks = XskMap::create("xsks", 1).expect("create XSKMAP");
    if lacks_kfuncs(&RX_KFUNCS, || {
        Program::load_with(&metadata_spec(), &[xsks.map()], &LoadOptions::default())
    }) {
        return;
    }
    let err = Program::load_with(&metadata_spec(), &[xsks.map()], &LoadOptions::default())
        .expect_err("the kernel refuses metadata kfuncs in a program that is not device-bound");
    let xsk_runtime::Error::Verifier { log, .. } = &err else {
        panic!("a verifier rejection, got {err}");
    };
    assert!(
        log.contains("device-bound") || log.contains("dev_bound"),
        "{log}"
    );
}

kernel_tests! {
    privileged: [
        device_bound_program_hands_rx_hash_to_af_xdp,
        rx_vlan_tag_program_loads_device_bound,
        metadata_kfuncs_without_device_binding_are_refused,
    ],
}
