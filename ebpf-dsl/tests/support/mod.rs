//! Test support shared by `ebpf-dsl/tests/*.rs` and, through `#[path]`, by
//! `tests/tests/xdp_snippets_kernel.rs`: register names and the XDP programs that the static
//! verifier tests and the kernel tests both build.
#![allow(dead_code)] // each test file uses a part

use ebpf_dsl::dsl::{exit, jmp_imm, label, ldxb, mov_reg, Program};
use ebpf_dsl::insn::JmpOp;
use ebpf_dsl::xdp::{self, XdpAction};
use ebpf_dsl::{consts, MapSpec, MapType, Reg};

pub const R0: Reg = Reg::R0;
pub const R1: Reg = Reg::R1;
pub const R2: Reg = Reg::R2;
pub const R3: Reg = Reg::R3;
pub const R4: Reg = Reg::R4;
pub const R5: Reg = Reg::R5;
pub const R6: Reg = Reg::R6;
pub const R9: Reg = Reg::R9;
pub const R10: Reg = Reg::R10;

/// An XSKMAP named `xsks` (the seeds' map) with `max_entries` slots.
pub fn xsks(max_entries: u32) -> MapSpec {
    MapSpec {
        name: "xsks".into(),
        map_type: MapType::Xskmap,
        key_size: 4,
        value_size: 4,
        max_entries,
        flags: 0,
        btf: None,
        inner: None,
    }
}

/// The start of the classifier program `classify`: eth (+VLAN) -> IPv4 (options skipped) /
/// IPv6 -> L4. Leaves the L4 header pointer in R6 and `data_end` in R3; jumps to `tcp` for
/// TCP, to `other` for anything but TCP/UDP over IP, to `fail` for a truncated header; falls
/// through for UDP (header not bounds-checked yet). [`end_other_fail`] adds the last two
/// labels.
pub fn classifier_head() -> Program {
    classifier_head_in(false)
}

/// [`classifier_head`] with [`xdp::parse_eth_vlan_be`]: the EtherType is compared in network
/// order (`ETH_P_IPV6_BE`, `ETH_P_IP_BE`).
pub fn classifier_head_be() -> Program {
    classifier_head_in(true)
}

fn classifier_head_in(network_order: bool) -> Program {
    let mut p = Program::xdp("classify");
    p.extend(xdp::load_data_pointers(R1, R2, R3));
    let u = p.unique();
    let (v6, v4) = if network_order {
        p.extend(xdp::parse_eth_vlan_be(R2, R3, R4, R5, "fail", u));
        (consts::ETH_P_IPV6_BE, consts::ETH_P_IP_BE)
    } else {
        p.extend(xdp::parse_eth_vlan(R2, R3, R4, R5, "fail", u));
        (consts::ETH_P_IPV6, consts::ETH_P_IP)
    };
    p.push(jmp_imm(JmpOp::Jeq, R4, v6 as i32, "v6"));
    p.push(jmp_imm(JmpOp::Jne, R4, v4 as i32, "other"));
    p.extend(xdp::parse_ipv4(R5, R3, R4, "fail", Some(R6)));
    p.push(ebpf_dsl::dsl::ja("l4"));
    p.push(label("v6"));
    p.extend(xdp::parse_ipv6(R5, R3, R4, "fail", Some(R6)));
    p.push(label("l4"));
    p.push(jmp_imm(JmpOp::Jeq, R4, 6, "tcp"));
    p.push(jmp_imm(JmpOp::Jne, R4, 17, "other"));
    p
}

/// `other: XDP_PASS`, `fail: XDP_ABORTED`: the classifier's last two labels.
pub fn end_other_fail(p: &mut Program) {
    p.push(label("other"));
    p.extend(xdp::return_action(XdpAction::Pass));
    p.push(label("fail"));
    p.extend(xdp::return_action(XdpAction::Aborted));
}

/// `strip_eth`: removes the Ethernet header (`bpf_xdp_adjust_head`), re-reads the packet
/// pointers and returns the IPv4 protocol byte, now at offset 9 (`XDP_ABORTED` if the packet
/// is too short).
pub fn strip_eth() -> Program {
    let mut p = Program::xdp("strip_eth");
    p.push(mov_reg(R6, R1));
    p.extend(xdp::adjust_head(R6, 14));
    p.push(jmp_imm(JmpOp::Jne, R0, 0, "fail"));
    p.extend(xdp::load_data_pointers(R6, R2, R3));
    p.extend(xdp::bounds_check(R2, R3, 20, "fail", R4));
    p.push(ldxb(R0, R2, 9));
    p.push(exit());
    p.push(label("fail"));
    p.extend(xdp::return_action(XdpAction::Aborted));
    p
}
