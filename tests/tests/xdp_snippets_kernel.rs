//! The XDP snippets and seeds of `ebpf_dsl` against the real kernel: every program built with
//! the builder API must pass the kernel verifier, and the header parsers must classify real
//! packets (plain, VLAN, QinQ, IPv4 options, IPv6, truncated) as documented, checked with
//! `BPF_PROG_TEST_RUN` (no interface, no traffic).
//!
//! Needs root (CAP_BPF, CAP_NET_ADMIN); skipped with a message otherwise, unless `CI=true`.

use xsk_testkit::kernel_tests;

#[path = "../../ebpf-dsl/tests/support/mod.rs"]
mod support;

use ebpf_dsl::dsl::{exit, jmp_imm, label, mov, Program};
use ebpf_dsl::insn::JmpOp;
use ebpf_dsl::seeds;
use ebpf_dsl::xdp::{self, XdpAction};
use support::{
    classifier_head, classifier_head_be, end_other_fail, strip_eth, xsks, R0, R1, R2, R3, R4, R6,
};
use xsk_runtime::maps::Map;

/// Return values of the classifier.
const PARSE_FAIL: u32 = 0; // XDP_ABORTED
const UDP_4791: u32 = 1; // XDP_DROP
const OTHER: u32 = 2; // XDP_PASS
const TCP: u32 = 3; // XDP_TX
const UDP_OTHER_PORT: u32 = 5;

/// eth (+VLAN) -> IPv4 (options skipped) / IPv6 -> UDP/TCP, returning one of the codes above.
/// With `network_order`, built from the `_be` parsers (EtherType and ports compared with
/// byte-swapped constants).
fn classifier(network_order: bool) -> Program {
    let mut p = if network_order {
        classifier_head_be()
    } else {
        classifier_head()
    };
    if network_order {
        p.extend(xdp::parse_udp_be(R6, R3, R4, "fail"));
        p.push(jmp_imm(JmpOp::Jne, R4, xdp::htons(4791), "udp_other"));
    } else {
        p.extend(xdp::parse_udp(R6, R3, R4, "fail"));
        p.push(jmp_imm(JmpOp::Jne, R4, 4791, "udp_other"));
    }
    p.push(mov(R0, UDP_4791 as i32));
    p.push(exit());
    p.push(label("udp_other"));
    p.push(mov(R0, UDP_OTHER_PORT as i32));
    p.push(exit());
    p.push(label("tcp"));
    if network_order {
        p.extend(xdp::parse_tcp_be(R6, R3, R4, "fail"));
    } else {
        p.extend(xdp::parse_tcp(R6, R3, R4, "fail"));
    }
    p.push(mov(R0, TCP as i32));
    p.push(exit());
    end_other_fail(&mut p);
    p
}

fn eth(tags: &[u16], proto: u16) -> Vec<u8> {
    let mut v = vec![0x02, 0, 0, 0, 0, 1, 0x02, 0, 0, 0, 0, 2];
    for &tpid in tags {
        v.extend(tpid.to_be_bytes());
        v.extend(7u16.to_be_bytes()); // TCI: VLAN 7
    }
    v.extend(proto.to_be_bytes());
    v
}

fn ipv4(proto: u8, options: usize) -> Vec<u8> {
    let ihl = 5 + options as u8;
    let mut v = vec![
        0x40 | ihl,
        0,
        0,
        0,
        0,
        0,
        0,
        0,
        64,
        proto,
        0,
        0,
        10,
        0,
        0,
        1,
        10,
        0,
        0,
        2,
    ];
    v.extend(std::iter::repeat_n(1u8, options * 4)); // NOP options
    v
}

fn ipv6(next: u8) -> Vec<u8> {
    let mut v = vec![0x60, 0, 0, 0, 0, 8, next, 64];
    v.extend([0u8; 32]);
    v
}

fn udp(port: u16) -> Vec<u8> {
    let mut v = 1234u16.to_be_bytes().to_vec();
    v.extend(port.to_be_bytes());
    v.extend([0, 8, 0, 0]);
    v
}

fn tcp(port: u16) -> Vec<u8> {
    let mut v = 1234u16.to_be_bytes().to_vec();
    v.extend(port.to_be_bytes());
    v.extend([0u8; 16]);
    v
}

fn cat(parts: &[Vec<u8>]) -> Vec<u8> {
    let mut v: Vec<u8> = parts.concat();
    v.extend([0xaa; 16]); // payload
    v
}

fn parsers_pass_the_kernel_verifier_and_classify_packets() {
    let progs: Vec<(&str, xsk_runtime::Program)> = [("host order", false), ("network order", true)]
        .into_iter()
        .map(|(order, be)| {
            let spec = classifier(be)
                .build()
                .unwrap_or_else(|e| panic!("{order}: {e:?}"));
            let prog =
                xsk_runtime::Program::load(&spec, &[]).unwrap_or_else(|e| panic!("{order}: {e}"));
            (order, prog)
        })
        .collect();

    let cases: Vec<(&str, Vec<u8>, u32)> = vec![
        (
            "ipv4 udp 4791",
            cat(&[eth(&[], 0x0800), ipv4(17, 0), udp(4791)]),
            UDP_4791,
        ),
        (
            "ipv4 udp 53",
            cat(&[eth(&[], 0x0800), ipv4(17, 0), udp(53)]),
            UDP_OTHER_PORT,
        ),
        (
            "ipv4 tcp",
            cat(&[eth(&[], 0x0800), ipv4(6, 0), tcp(80)]),
            TCP,
        ),
        ("ipv4 icmp", cat(&[eth(&[], 0x0800), ipv4(1, 0)]), OTHER),
        ("arp", cat(&[eth(&[], 0x0806), vec![0; 28]]), OTHER),
        (
            "vlan ipv4 udp",
            cat(&[eth(&[0x8100], 0x0800), ipv4(17, 0), udp(4791)]),
            UDP_4791,
        ),
        (
            "qinq ipv4 udp",
            cat(&[eth(&[0x88a8, 0x8100], 0x0800), ipv4(17, 0), udp(4791)]),
            UDP_4791,
        ),
        (
            "ipv4 options udp",
            cat(&[eth(&[], 0x0800), ipv4(17, 2), udp(4791)]),
            UDP_4791,
        ),
        (
            "vlan ipv6 udp",
            cat(&[eth(&[0x8100], 0x86dd), ipv6(17), udp(4791)]),
            UDP_4791,
        ),
        ("ipv6 tcp", cat(&[eth(&[], 0x86dd), ipv6(6), tcp(22)]), TCP),
        // Truncated UDP header: the parser's bounds check fails.
        (
            "truncated udp",
            [eth(&[], 0x0800), ipv4(17, 0), vec![0, 1, 0x12]].concat(),
            PARSE_FAIL,
        ),
        // IPv4 header length 4 (< 20 bytes): rejected.
        (
            "ihl 4",
            {
                let mut v = cat(&[eth(&[], 0x0800), ipv4(17, 0), udp(4791)]);
                v[14] = 0x44;
                v
            },
            PARSE_FAIL,
        ),
        // A VLAN tag cut short.
        (
            "short vlan",
            eth(&[0x8100], 0x0800)[..16].to_vec(),
            PARSE_FAIL,
        ),
        // The second tag of a QinQ packet cut short.
        (
            "short inner vlan",
            eth(&[0x88a8, 0x8100], 0x0800)[..20].to_vec(),
            PARSE_FAIL,
        ),
        // An 802.1ad tag alone (no inner 802.1Q) over IPv6.
        (
            "802.1ad ipv6 udp",
            cat(&[eth(&[0x88a8], 0x86dd), ipv6(17), udp(4791)]),
            UDP_4791,
        ),
        // A third tag is not skipped: its TPID is the EtherType, not IP.
        (
            "three tags",
            cat(&[
                eth(&[0x88a8, 0x8100, 0x8100], 0x0800),
                ipv4(17, 0),
                udp(4791),
            ]),
            OTHER,
        ),
        // Only an Ethernet header: too short for IPv4, then for IPv6.
        ("bare ipv4", eth(&[], 0x0800), PARSE_FAIL),
        ("bare ipv6", eth(&[0x8100], 0x86dd), PARSE_FAIL),
    ];
    for (order, prog) in &progs {
        for (name, pkt, want) in &cases {
            let r = prog
                .test_run(pkt, 1)
                .unwrap_or_else(|e| panic!("{order}, {name}: {e}"));
            assert_eq!(r.retval, *want, "{order}, {name}");
        }
    }
}

fn seeds_and_redirect_snippets_pass_the_kernel_verifier() {
    let xsks = Map::create(&xsks(4)).unwrap_or_else(|e| panic!("{e}"));
    let udp_pkt = cat(&[eth(&[], 0x0800), ipv4(17, 0), udp(4791)]);

    let mut programs: Vec<(&str, Program)> = Vec::new();
    for (name, build, _) in seeds::SEEDS {
        let mut p = Program::xdp(name.chars().take(15).collect::<String>());
        p.extend(build("xsks"));
        programs.push((name, p));
    }
    // The snippets with other registers and fallbacks.
    let mut p = Program::xdp("by_queue_r6");
    p.push(ebpf_dsl::dsl::mov_reg(R6, R1));
    p.extend(xdp::redirect_to_xsk_by_queue(
        R6,
        "xsks",
        R4,
        XdpAction::Drop.value(),
    ));
    programs.push(("by_queue_r6", p));
    let mut p = Program::xdp("lookup_first");
    let u = p.unique();
    p.extend(xdp::redirect_to_xsk_lookup_first(R1, "xsks", 2, u));
    programs.push(("lookup_first", p));
    let mut p = Program::xdp("bounds");
    p.extend(xdp::load_data_pointers(R1, R2, R3));
    p.extend(xdp::bounds_check(R2, R3, 34, "pass", R0));
    p.push(ebpf_dsl::dsl::ldxb(R4, R2, 23));
    p.extend(xdp::redirect_to_xsk("xsks", 0, 3));
    p.push(label("pass"));
    p.extend(xdp::return_action(XdpAction::Pass));
    programs.push(("bounds", p));

    // No socket is in the map: every redirect falls back to the action in the flags.
    let expect = [2, 2, 2, 1, 2, 3];
    for ((name, p), want) in programs.into_iter().zip(expect) {
        let spec = p.build().unwrap_or_else(|e| panic!("{name}: {e:?}"));
        let prog =
            xsk_runtime::Program::load(&spec, &[&xsks]).unwrap_or_else(|e| panic!("{name}: {e}"));
        let r = prog
            .test_run(&udp_pkt, 1)
            .unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_eq!(r.retval, want, "{name}");
    }
}

fn adjust_head_and_redirect_pass_the_kernel_verifier() {
    // Strip the Ethernet header, re-read the packet pointers and return the IPv4 protocol
    // byte, which is now at offset 9.
    let prog = xsk_runtime::Program::load(&strip_eth().build().unwrap(), &[])
        .unwrap_or_else(|e| panic!("{e}"));
    let pkt = cat(&[eth(&[], 0x0800), ipv4(17, 0), udp(4791)]);
    let r = prog.test_run(&pkt, 1).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(r.retval, 17);
    assert_eq!(
        r.data_out.len(),
        pkt.len() - 14,
        "the Ethernet header is gone"
    );

    let mut p = Program::xdp("redirect_lo");
    p.extend(xdp::redirect(1, 0));
    let prog =
        xsk_runtime::Program::load(&p.build().unwrap(), &[]).unwrap_or_else(|e| panic!("{e}"));
    let r = prog.test_run(&pkt, 1).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(r.retval, XdpAction::Redirect.value() as u32);
}

kernel_tests! {
    privileged: [
        parsers_pass_the_kernel_verifier_and_classify_packets,
        seeds_and_redirect_snippets_pass_the_kernel_verifier,
        adjust_head_and_redirect_pass_the_kernel_verifier,
    ],
}
