//! The seeds and every XDP snippet pass the crate's static verifier (`ebpf_dsl::verifier`),
//! and a parser whose bounds check is removed is rejected by it.

use ebpf_dsl::dsl::{exit, jmp_imm, label, ldxb, Program};
use ebpf_dsl::insn::JmpOp;
use ebpf_dsl::verifier::{verify, VerifyInput};
use ebpf_dsl::xdp::{self, XdpAction};
use ebpf_dsl::{seeds, MapSpec, MapType, ProgramSpec, Reg};

const R0: Reg = Reg::R0;
const R1: Reg = Reg::R1;
const R2: Reg = Reg::R2;
const R3: Reg = Reg::R3;
const R4: Reg = Reg::R4;
const R5: Reg = Reg::R5;
const R6: Reg = Reg::R6;

fn xsks() -> MapSpec {
    MapSpec {
        name: "xsks".into(),
        map_type: MapType::Xskmap,
        key_size: 4,
        value_size: 4,
        max_entries: 64,
        flags: 0,
    }
}

fn verify_spec(spec: &ProgramSpec) -> Result<(), String> {
    let maps = [xsks()];
    let input = VerifyInput::new(&spec.insns, spec.prog_type).with_maps(&spec.relocations, &maps);
    verify(&input).map(|_| ()).map_err(|errs| {
        errs.iter()
            .map(|e| e.to_string())
            .collect::<Vec<_>>()
            .join("\n")
    })
}

#[test]
fn seeds_pass_the_static_verifier() {
    for (name, build, _) in seeds::SEEDS {
        let mut p = Program::xdp(name);
        p.extend(build("xsks"));
        let spec = p.build().unwrap_or_else(|e| panic!("{name}: {e:?}"));
        verify_spec(&spec).unwrap_or_else(|e| panic!("{name}: {e}"));
    }
}

fn classifier(with_udp_bounds_check: bool) -> Program {
    let mut p = Program::xdp("classify");
    p.extend(xdp::load_data_pointers(R1, R2, R3));
    let u = p.unique();
    p.extend(xdp::parse_eth_vlan(R2, R3, R4, R5, "fail", u));
    p.push(jmp_imm(JmpOp::Jeq, R4, 0x86dd, "v6"));
    p.push(jmp_imm(JmpOp::Jne, R4, 0x0800, "other"));
    p.extend(xdp::parse_ipv4(R5, R3, R4, "fail", Some(R6)));
    p.push(ebpf_dsl::dsl::ja("l4"));
    p.push(label("v6"));
    p.extend(xdp::parse_ipv6(R5, R3, R4, "fail", Some(R6)));
    p.push(label("l4"));
    p.push(jmp_imm(JmpOp::Jeq, R4, 6, "tcp"));
    p.push(jmp_imm(JmpOp::Jne, R4, 17, "other"));
    if with_udp_bounds_check {
        p.extend(xdp::parse_udp(R6, R3, R4, "fail"));
    } else {
        p.push(ebpf_dsl::dsl::ldxh(R4, R6, 2));
    }
    p.push(jmp_imm(JmpOp::Jne, R4, 4791, "other"));
    p.extend(xdp::redirect_to_xsk_by_queue(R1, "xsks", R2, 2));
    p.push(label("tcp"));
    p.extend(xdp::parse_tcp(R6, R3, R4, "fail"));
    p.extend(xdp::return_action(XdpAction::Tx));
    p.push(label("other"));
    p.extend(xdp::return_action(XdpAction::Pass));
    p.push(label("fail"));
    p.extend(xdp::return_action(XdpAction::Aborted));
    p
}

#[test]
fn parsers_pass_the_static_verifier() {
    let spec = classifier(true).build().unwrap();
    verify_spec(&spec).unwrap_or_else(|e| panic!("{e}"));
}

#[test]
fn a_missing_bounds_check_is_caught() {
    let spec = classifier(false).build().unwrap();
    let err = verify_spec(&spec).expect_err("reading the UDP port without a bounds check");
    assert!(err.contains("packet"), "{err}");
}

#[test]
fn redirect_snippets_pass_the_static_verifier() {
    let mut programs = Vec::new();
    let mut p = Program::xdp("by_queue_r6");
    p.push(ebpf_dsl::dsl::mov_reg(R6, R1));
    p.extend(xdp::redirect_to_xsk_by_queue(R6, "xsks", R4, 1));
    programs.push(p);
    let mut p = Program::xdp("lookup_first");
    let u = p.unique();
    p.extend(xdp::redirect_to_xsk_lookup_first(R1, "xsks", 2, u));
    programs.push(p);
    let mut p = Program::xdp("bounds");
    p.extend(xdp::load_data_pointers(R1, R2, R3));
    p.extend(xdp::bounds_check(R2, R3, 34, "pass", R0));
    p.push(ldxb(R4, R2, 23));
    p.extend(xdp::redirect_to_xsk("xsks", R4, 3));
    p.push(label("pass"));
    p.extend(xdp::return_action(XdpAction::Pass));
    programs.push(p);
    let mut p = Program::xdp("strip_eth");
    p.push(ebpf_dsl::dsl::mov_reg(R6, R1));
    p.extend(xdp::adjust_head(R6, 14));
    p.push(jmp_imm(JmpOp::Jne, R0, 0, "fail"));
    p.extend(xdp::load_data_pointers(R6, R2, R3));
    p.extend(xdp::bounds_check(R2, R3, 20, "fail", R4));
    p.push(ldxb(R0, R2, 9));
    p.push(exit());
    p.push(label("fail"));
    p.extend(xdp::return_action(XdpAction::Aborted));
    programs.push(p);
    for p in programs {
        let spec = p.build().unwrap();
        verify_spec(&spec).unwrap_or_else(|e| panic!("{}: {e}", spec.name));
    }
}
