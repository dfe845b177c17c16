//! The snippets (`ebpf_dsl::snippet`: each expands as its builder function does, with unique
//! internal labels and argument errors that name the snippet) and the seeds (builder and text
//! forms identical, stable bytes, program specs, random builder programs that never panic).
//! The builder API itself and the XDP module are tested in `builder.rs`.

mod support;

use ebpf_dsl::asm::{self, Assembled};
use ebpf_dsl::dsl::*;
use ebpf_dsl::insn::JmpOp;
use ebpf_dsl::ir::{Item, ItemKind};
use ebpf_dsl::seeds;
use ebpf_dsl::snippet::{expand, SnippetArg, SNIPPETS};
use ebpf_dsl::xdp::{self, XdpAction, XdpMdField};
use ebpf_dsl::{Insn, Reg};
use support::{R0, R1, R10, R2, R3, R4, R5, R6};

fn resolve(items: &[Item]) -> Assembled {
    asm::resolve(items).unwrap_or_else(|e| panic!("resolve failed: {e:?}"))
}

// ---------------------------------------------------------------------------------------------
// Snippets
// ---------------------------------------------------------------------------------------------

fn id(s: &'static str) -> SnippetArg {
    SnippetArg::Ident(s.into())
}
fn rg(r: Reg) -> SnippetArg {
    SnippetArg::Reg(r)
}
fn int(v: i64) -> SnippetArg {
    SnippetArg::Int(v)
}

#[test]
fn every_snippet_expands_like_its_function() {
    let pairs: Vec<(&str, Vec<SnippetArg>, Vec<Item>)> = vec![
        (
            "bounds_check",
            vec![rg(R2), rg(R3), int(34), id("drop")],
            xdp::bounds_check(R2, R3, 34, "drop", R0),
        ),
        (
            "bounds_check",
            vec![rg(R2), rg(R3), int(34), id("drop"), rg(R4)],
            xdp::bounds_check(R2, R3, 34, "drop", R4),
        ),
        (
            "bounds_check_reg",
            vec![rg(R2), rg(R3), rg(R5), id("drop"), rg(R4)],
            xdp::bounds_check_reg(R2, R3, R5, "drop", R4),
        ),
        (
            "load_ctx_field",
            vec![rg(R4), rg(R1), id("rx_queue_index")],
            vec![xdp::load_ctx_field(R4, R1, XdpMdField::RxQueueIndex).into()],
        ),
        (
            "load_data_pointers",
            vec![rg(R1), rg(R2), rg(R3)],
            xdp::load_data_pointers(R1, R2, R3),
        ),
        (
            "return_action",
            vec![int(1)],
            xdp::return_action(XdpAction::Drop),
        ),
        (
            "return_action",
            vec![id("XDP_TX")],
            xdp::return_action(XdpAction::Tx),
        ),
        (
            "redirect_map",
            vec![id("devs"), int(0), int(0)],
            xdp::redirect_map("devs", 0, 0),
        ),
        (
            "redirect_to_xsk",
            vec![id("xsks"), rg(R4)],
            xdp::redirect_to_xsk("xsks", R4, 2),
        ),
        (
            "redirect_to_xsk",
            vec![id("xsks"), rg(R4), int(1)],
            xdp::redirect_to_xsk("xsks", R4, 1),
        ),
        (
            "redirect_to_xsk_by_queue",
            vec![id("xsks")],
            seeds::redirect_all("xsks"),
        ),
        (
            "redirect_to_xsk_by_queue",
            vec![id("xsks"), int(2)],
            seeds::redirect_all("xsks"),
        ),
        (
            "redirect_to_xsk_by_queue",
            vec![id("xsks"), rg(R2), int(2)],
            seeds::redirect_all("xsks"),
        ),
        (
            "redirect_to_xsk_by_queue",
            vec![id("xsks"), rg(R5)],
            xdp::redirect_to_xsk_by_queue(R1, "xsks", R5, 2),
        ),
        (
            "redirect_to_xsk_by_queue",
            vec![rg(R6), id("xsks"), rg(R5), id("XDP_DROP")],
            xdp::redirect_to_xsk_by_queue(R6, "xsks", R5, 1),
        ),
        (
            "redirect_to_xsk_lookup_first",
            vec![id("xsks")],
            xdp::redirect_to_xsk_lookup_first(R1, "xsks", 0, 9),
        ),
        (
            "redirect_to_xsk_lookup_first",
            vec![rg(R6), id("xsks"), int(2)],
            xdp::redirect_to_xsk_lookup_first(R6, "xsks", 2, 9),
        ),
        ("redirect", vec![rg(R4), int(0)], xdp::redirect(R4, 0)),
        (
            "adjust_head",
            vec![rg(R6), int(-14)],
            xdp::adjust_head(R6, -14),
        ),
        (
            "adjust_tail",
            vec![rg(R1), int(-4)],
            xdp::adjust_tail(R1, -4),
        ),
        (
            "adjust_meta",
            vec![rg(R1), int(-8)],
            xdp::adjust_meta(R1, -8),
        ),
        (
            "parse_eth",
            vec![rg(R2), rg(R3), rg(R4), id("drop")],
            xdp::parse_eth(R2, R3, R4, "drop"),
        ),
        (
            "parse_eth_vlan",
            vec![rg(R2), rg(R3), rg(R4), rg(R5), id("drop")],
            xdp::parse_eth_vlan(R2, R3, R4, R5, "drop", 9),
        ),
        (
            "parse_ipv4",
            vec![rg(R5), rg(R3), rg(R4), id("drop")],
            xdp::parse_ipv4(R5, R3, R4, "drop", None),
        ),
        (
            "parse_ipv4",
            vec![rg(R5), rg(R3), rg(R4), id("drop"), rg(R6)],
            xdp::parse_ipv4(R5, R3, R4, "drop", Some(R6)),
        ),
        (
            "parse_ipv6",
            vec![rg(R5), rg(R3), rg(R4), id("drop"), rg(R6)],
            xdp::parse_ipv6(R5, R3, R4, "drop", Some(R6)),
        ),
        (
            "parse_udp",
            vec![rg(R6), rg(R3), rg(R4), id("drop")],
            xdp::parse_udp(R6, R3, R4, "drop"),
        ),
        (
            "parse_tcp",
            vec![rg(R6), rg(R3), rg(R4), id("drop")],
            xdp::parse_tcp(R6, R3, R4, "drop"),
        ),
        (
            "parse_eth_be",
            vec![rg(R2), rg(R3), rg(R4), id("drop")],
            xdp::parse_eth_be(R2, R3, R4, "drop"),
        ),
        (
            "parse_eth_vlan_be",
            vec![rg(R2), rg(R3), rg(R4), rg(R5), id("drop")],
            xdp::parse_eth_vlan_be(R2, R3, R4, R5, "drop", 9),
        ),
        (
            "parse_udp_be",
            vec![rg(R6), rg(R3), rg(R4), id("drop")],
            xdp::parse_udp_be(R6, R3, R4, "drop"),
        ),
        (
            "parse_tcp_be",
            vec![rg(R6), rg(R3), rg(R4), id("drop")],
            xdp::parse_tcp_be(R6, R3, R4, "drop"),
        ),
        (
            "write_rx_metadata",
            vec![],
            xdp::metadata::write_rx_metadata("__rx_meta_9_done"),
        ),
    ];
    let mut covered = std::collections::HashSet::new();
    for (name, args, want) in pairs {
        let got = expand(name, &args, 9).unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_eq!(got, want, "{name}!({args:?})");
        covered.insert(name);
        // The `!` may be included.
        let bang = format!("{name}!");
        assert_eq!(expand(&bang, &args, 9).unwrap(), want);
    }
    for s in SNIPPETS {
        assert!(covered.contains(s.name), "snippet {} is not tested", s.name);
        assert!(s.syntax.starts_with(s.name), "{}", s.syntax);
    }
}

#[test]
fn internal_labels_are_unique_per_invocation() {
    let a = expand(
        "parse_eth_vlan",
        &[rg(R2), rg(R3), rg(R4), rg(R5), id("d")],
        1,
    )
    .unwrap();
    let b = expand(
        "parse_eth_vlan",
        &[rg(R2), rg(R3), rg(R4), rg(R5), id("d")],
        2,
    )
    .unwrap();
    let labels = |v: &[Item]| -> Vec<String> {
        v.iter()
            .filter_map(|it| match &it.kind {
                ItemKind::Label(l) => Some(l.to_string()),
                _ => None,
            })
            .collect()
    };
    let (la, lb) = (labels(&a), labels(&b));
    assert_eq!(la.len(), 2);
    assert!(la.iter().all(|l| !lb.contains(l)), "{la:?} {lb:?}");
    // Two invocations in one text program assemble without duplicate labels.
    let src = "r2 = *(u32 *)(r1 + 0)\nr3 = *(u32 *)(r1 + 4)\n\
               parse_eth_vlan!(r2, r3, r4, r5, d)\nparse_eth_vlan!(r2, r3, r4, r5, d)\n\
               redirect_to_xsk_lookup_first!(xsks)\nd:\nr0 = 1\nexit\n";
    asm::assemble(src).unwrap_or_else(|e| panic!("{e:?}"));
}

fn expect_err(name: &str, args: &[SnippetArg], needles: &[&str]) {
    let e = expand(name, args, 0).expect_err(name).to_string();
    for n in needles {
        assert!(e.contains(n), "{name}: {e:?} lacks {n:?}");
    }
}

#[test]
fn snippet_argument_errors() {
    expect_err(
        "no_such",
        &[],
        &["snippet `no_such!`: no snippet of this name", "parse_udp!"],
    );
    expect_err(
        "bounds_check",
        &[rg(R2), rg(R3), int(34)],
        &[
            "expects 4 or 5 arguments, got 3",
            "bounds_check!(ptr, data_end, len, fail[, tmp])",
        ],
    );
    expect_err(
        "bounds_check",
        &[rg(R2), rg(R3), rg(R4), id("d")],
        &["argument 3 (`len`) must be an integer or a named constant, found register r4"],
    );
    expect_err(
        "bounds_check",
        &[rg(R2), rg(R3), int(-1), id("d")],
        &["argument 3 (`len`) is -1, out of range"],
    );
    expect_err(
        "bounds_check",
        &[id("data"), rg(R3), int(14), id("d")],
        &["argument 1 (`ptr`) must be a register (r0-r10), found name `data`"],
    );
    expect_err(
        "bounds_check",
        &[rg(R2), rg(R3), int(14), int(5)],
        &["argument 4 (`fail`) must be a label name, found integer 5"],
    );
    expect_err(
        "bounds_check",
        &[rg(R2), rg(R3), int(14), id("d"), rg(R2)],
        &["`tmp` and `ptr` are both r2"],
    );
    expect_err(
        "parse_eth",
        &[rg(R2), rg(R3), rg(R10), id("d")],
        &["r10 is the read-only frame pointer"],
    );
    expect_err(
        "parse_udp",
        &[rg(R6), rg(R3), rg(R3), id("d")],
        &["`out_dst_port` and `data_end` are both r3"],
    );
    expect_err(
        "parse_ipv4",
        &[rg(R5), rg(R3), rg(R4), id("d"), rg(R5)],
        &["`out_l4` and `l3` are both r5"],
    );
    expect_err(
        "parse_eth_vlan",
        &[rg(R2), rg(R3), rg(R4), rg(R4), id("d")],
        &["`out_l3` and `out_proto` are both r4"],
    );
    expect_err(
        "redirect_to_xsk_by_queue",
        &[rg(R2)],
        &["argument 1 (`map`) must be a map name (such as `xsks`), found register r2"],
    );
    expect_err(
        "redirect_to_xsk_by_queue",
        &[id("xsks"), int(4)],
        &["only the fallback action 0-3"],
    );
    expect_err(
        "redirect_to_xsk",
        &[id("xsks"), id("q")],
        &["argument 2 (`key`) must be a register or an integer, found name `q`"],
    );
    expect_err(
        "redirect_to_xsk",
        &[id("xsks"), int(1 << 40)],
        &["does not fit a 32-bit immediate"],
    );
    expect_err(
        "redirect_to_xsk_by_queue",
        &[],
        &["expects 1, 2, 3 or 4 arguments, got 0"],
    );
    expect_err("return_action", &[int(7)], &["must be an XDP action"]);
    expect_err("return_action", &[], &["expects 1 argument, got 0"]);
    expect_err(
        "load_ctx_field",
        &[rg(R2), rg(R1), id("queue")],
        &["struct xdp_md field", "found name `queue`"],
    );
    expect_err(
        "load_data_pointers",
        &[rg(R1), rg(R1), rg(R3)],
        &["must differ from `ctx`"],
    );
}

#[test]
fn snippet_errors_reach_the_assembler_with_a_position() {
    let src = "r0 = 2\nbounds_check!(r2, r3)\nexit\n";
    let errs = asm::assemble(src).unwrap_err();
    let d = &errs[0];
    assert!(d.message.contains("expects 4 or 5 arguments"), "{d:?}");
    assert_eq!(d.line_col(src).map(|(l, _)| l), Some(2));
}

// ---------------------------------------------------------------------------------------------
// Seeds
// ---------------------------------------------------------------------------------------------

#[test]
fn seeds_builder_and_text_are_identical() {
    for (name, build, src) in seeds::SEEDS {
        let built = assemble(&build("xsks")).unwrap_or_else(|e| panic!("{name}: {e:?}"));
        let parsed = asm::assemble(src).unwrap_or_else(|e| panic!("{name}: {e:?}"));
        assert_eq!(built.insns, parsed.insns, "{name}");
        assert_eq!(built.relocations, parsed.relocations, "{name}");
        assert!(!built.relocations.is_empty());
        assert!(built.relocations.iter().all(|r| r.symbol == "xsks"));
    }
}

/// The seeds' exact bytes are an interface (the macros crate compares against them): pin them.
#[test]
fn seed_bytes_are_stable() {
    let hex = |items: Vec<Item>| -> Vec<String> {
        resolve(&items)
            .insns
            .iter()
            .map(|i| {
                i.to_bytes()
                    .iter()
                    .map(|b| format!("{b:02x}"))
                    .collect::<String>()
            })
            .collect()
    };
    assert_eq!(
        hex(seeds::redirect_all("xsks")),
        [
            "6112100000000000", // r2 = *(u32 *)(r1 + 16)
            "1811000000000000", // r1 = xsks ll
            "0000000000000000",
            "b703000002000000", // r3 = 2
            "8500000033000000", // call 51
            "9500000000000000", // exit
        ]
    );
    assert_eq!(
        hex(seeds::redirect_udp("xsks")),
        [
            "6112000000000000", // r2 = *(u32 *)(r1 + 0)
            "6113040000000000", // r3 = *(u32 *)(r1 + 4)
            "bf24000000000000", // r4 = r2
            "0704000022000000", // r4 += 34
            "2d34080000000000", // if r4 > r3 goto +8
            "7124170000000000", // r4 = *(u8 *)(r2 + 23)
            "5504060011000000", // if r4 != 17 goto +6
            "6112100000000000", // r2 = *(u32 *)(r1 + 16)
            "1811000000000000", // r1 = xsks ll
            "0000000000000000",
            "b703000002000000", // r3 = 2
            "8500000033000000", // call 51
            "9500000000000000", // exit
            "b700000002000000", // pass: r0 = 2
            "9500000000000000", // exit
        ]
    );
    assert_eq!(
        hex(seeds::redirect_lookup_first("xsks")),
        [
            "6112100000000000", // r2 = *(u32 *)(r1 + 16)
            "632afcff00000000", // *(u32 *)(r10 - 4) = r2
            "bfa2000000000000", // r2 = r10
            "07020000fcffffff", // r2 += -4
            "1811000000000000", // r1 = xsks ll
            "0000000000000000",
            "8500000001000000", // call 1
            "1500060000000000", // if r0 == 0 goto +6
            "61a2fcff00000000", // r2 = *(u32 *)(r10 - 4)
            "1811000000000000", // r1 = xsks ll
            "0000000000000000",
            "b703000000000000", // r3 = 0
            "8500000033000000", // call 51
            "9500000000000000", // exit
            "b700000002000000", // pass: r0 = 2
            "9500000000000000", // exit
        ]
    );
}

#[test]
fn seeds_build_program_specs() {
    let mut p = Program::xdp("xsk_udp");
    p.extend(seeds::redirect_udp("xsk_map"));
    let spec = p.build().unwrap();
    assert_eq!(spec.insns.len(), 15);
    assert_eq!(spec.relocations.len(), 1);
    assert_eq!(spec.relocations[0].symbol, "xsk_map");
    assert_eq!(spec.relocations[0].insn_index, 8);
    assert_eq!(spec.license, "GPL");
}

/// Builder input is data from the user too: random slots, jumps to random offsets and labels,
/// and random snippet arguments give errors, never a panic.
#[test]
fn random_builder_programs_never_panic() {
    // xorshift64*, so the test needs no crate.
    let mut x: u64 = 0x2545_f491_4f6c_dd1d;
    let mut next = move || {
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        x.wrapping_mul(0x2545_f491_4f6c_dd1d)
    };
    let labels = ["a", "b", "c"];
    let (mut ok, mut rejected) = (0, 0);
    for _ in 0..3000 {
        let n = (next() % 12) as usize;
        let mut p = Program::xdp("fuzz");
        for _ in 0..n {
            let r = next();
            let reg = Reg::new((r % 11) as u8).unwrap();
            let item: Item = match r % 7 {
                // Any 8 bytes as a slot, valid or not.
                0 => Insn::new(
                    (r >> 8) as u8,
                    ((r >> 16) & 0xf) as u8,
                    ((r >> 20) & 0xf) as u8,
                    (r >> 24) as i16,
                    (r >> 40) as i32,
                )
                .into(),
                1 => ja((r >> 8) as i16 as i32),
                2 => jmp_imm(
                    JmpOp::Jgt,
                    reg,
                    (r >> 8) as i32,
                    labels[(r >> 40) as usize % 3],
                ),
                3 => label(labels[(r >> 8) as usize % 3]),
                4 => ld_imm64(reg, (r >> 3) as i64),
                5 => call_local(labels[(r >> 8) as usize % 3]),
                _ => exit().into(),
            };
            p.push(item);
        }
        if next() % 4 == 0 {
            let s = &SNIPPETS[(next() % SNIPPETS.len() as u64) as usize];
            let args: Vec<SnippetArg> = (0..next() % 6)
                .map(|_| match next() % 3 {
                    0 => SnippetArg::Reg(Reg::new((next() % 11) as u8).unwrap()),
                    1 => SnippetArg::Int(next() as i64),
                    _ => SnippetArg::Ident(labels[(next() % 3) as usize].into()),
                })
                .collect();
            let _ = p
                .snippet(s.name, &args)
                .map(|_| ())
                .map_err(|e| e.to_string());
        }
        match p.assemble() {
            Ok(a) => {
                ok += 1;
                // What assembles also disassembles and reassembles.
                let text = ebpf_dsl::disasm::disassemble(&a.insns).expect("checked slots decode");
                let again = asm::assemble_unchecked(&text).expect("disassembly reassembles");
                assert_eq!(again.insns, a.insns, "{text}");
            }
            Err(e) => {
                rejected += 1;
                assert!(!e.diagnostics().is_empty());
                let _ = e.to_string();
            }
        }
    }
    assert!(ok > 50 && rejected > 50, "ok {ok}, rejected {rejected}");
}
