//! The seeds and every XDP snippet pass the crate's static verifier (`ebpf_dsl::verifier`),
//! and a parser whose bounds check is removed is rejected by it.

mod support;

use ebpf_dsl::dsl::{jmp_imm, label, ldxb, Program};
use ebpf_dsl::insn::JmpOp;
use ebpf_dsl::verifier::{verify, VerifyInput};
use ebpf_dsl::xdp::{self, XdpAction};
use ebpf_dsl::{seeds, ProgramSpec};
use support::{
    classifier_head, classifier_head_be, end_other_fail, strip_eth, xsks, R0, R1, R2, R3, R4, R6,
};

fn verify_spec(spec: &ProgramSpec) -> Result<(), String> {
    let maps = [xsks(64)];
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
    let mut p = classifier_head();
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
    end_other_fail(&mut p);
    p
}

#[test]
fn parsers_pass_the_static_verifier() {
    let spec = classifier(true).build().unwrap();
    verify_spec(&spec).unwrap_or_else(|e| panic!("{e}"));
}

/// The network-order parsers, with bench-progs' shared exit: `r0 = XDP_PASS` first, the
/// `other` label on the redirect's `exit`.
#[test]
fn be_parsers_pass_the_static_verifier() {
    let mut p = Program::xdp("classify_be");
    p.push(ebpf_dsl::dsl::mov(R0, XdpAction::Pass.value()));
    p.extend(classifier_head_be().items().to_vec());
    p.extend(xdp::parse_udp_be(R6, R3, R4, "fail"));
    p.push(jmp_imm(JmpOp::Jne, R4, xdp::htons(4791), "other"));
    p.push(xdp::load_ctx_field(R2, R1, xdp::XdpMdField::RxQueueIndex));
    p.extend(xdp::redirect_map("xsks", R2, 2));
    p.push(label("other"));
    p.push(ebpf_dsl::dsl::exit());
    p.push(label("tcp"));
    p.extend(xdp::parse_tcp_be(R6, R3, R4, "fail"));
    p.extend(xdp::return_action(XdpAction::Tx));
    p.push(label("fail"));
    p.extend(xdp::return_action(XdpAction::Aborted));
    let spec = p.build().unwrap();
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
    programs.push(strip_eth());
    for p in programs {
        let spec = p.build().unwrap();
        verify_spec(&spec).unwrap_or_else(|e| panic!("{}: {e}", spec.name));
    }
}
