//! `bench-progs`: the Rust side of the benchmark's XDP-program and compile-time workloads
//! (`bench/run.sh` runs it; see `BENCHMARKS.md`).
//!
//! ```text
//! bench-progs dump DIR      write ours' programs as raw instruction slots (DIR/NAME.insns)
//!                           and the generated programs' text (DIR/genN.s, N = 1000, 10000)
//! bench-progs compile FILE  time parse + resolve + check + verify of FILE (assembler text),
//!                           best of 5 runs (as the kernel side), and print a RESULT line
//! ```
//!
//! The programs written by `dump` are the twins of `bench/c/xdp_progs.bpf.c`:
//!
//! - `xsk_all`: seed 1, [`ebpf_dsl::seeds::redirect_all`];
//! - `xsk_udp`: seed 2, [`ebpf_dsl::seeds::redirect_udp`];
//! - `parse_udp`: built from the XDP snippets (`parse_eth_vlan_be`, `parse_ipv4`, `parse_ipv6`,
//!   `parse_udp_be`, `load_ctx_field` + `redirect_map`): Ethernet with up to two VLAN tags,
//!   IPv4 (any IHL) or IPv6, UDP to port 4791 to the XSK of the receive queue, the rest
//!   `XDP_PASS`.
//!
//! A map reference (`ld_imm64` with a relocation) is written with `src_reg` =
//! `BPF_PSEUDO_MAP_FD` and `imm` = 0; the C runner `bench/c/progrun.c` puts a fresh XSKMAP's fd
//! there, exactly as it does for nothing else: all bench programs use one map, the XSKMAP.

use std::process::ExitCode;

use clap::Parser;
use std::time::Instant;

use ebpf_dsl::asm::{self, Assembled};
use ebpf_dsl::dsl::{self, ja, jmp_imm, label, mov};
use ebpf_dsl::insn::JmpOp;
use ebpf_dsl::verifier::{verify, VerifyInput};
use ebpf_dsl::xdp::{self, XdpAction};
use ebpf_dsl::{consts, Item, MapSpec, MapType, ProgramType, Reg};

const PARSE_PORT: u16 = 4791;
const IPPROTO_UDP: i32 = consts::IPPROTO_UDP as i32;
const BPF_PSEUDO_MAP_FD: u8 = 1;
const GEN_SIZES: [usize; 2] = [1000, 10_000];

/// Ours' header-parsing program (see the module docs), from the snippets, written the way the
/// `ebpf_dsl::xdp` docs advise for the tightest code: EtherType and port compared in network
/// order (the `_be` parsers against `ETH_P_*_BE` / `htons`), the VLAN parser's checked end
/// pointer handed on as the L3 pointer, and one shared `exit` (`r0 = XDP_PASS` set first, the
/// `pass` label on the redirect's `exit`, as clang lays out the C twin).
fn parse_udp_program() -> Vec<Item> {
    let (ctx, data, end, proto, l3, l4) = (Reg::R1, Reg::R2, Reg::R3, Reg::R4, Reg::R5, Reg::R6);
    let mut v: Vec<Item> = vec![mov(Reg::R0, XdpAction::Pass.value()).into()];
    v.extend(xdp::load_data_pointers(ctx, data, end));
    v.extend(xdp::parse_eth_vlan_be(data, end, proto, l3, "pass", 0));
    v.push(jmp_imm(
        JmpOp::Jeq,
        proto,
        consts::ETH_P_IPV6_BE as i32,
        "v6",
    ));
    v.push(jmp_imm(
        JmpOp::Jne,
        proto,
        consts::ETH_P_IP_BE as i32,
        "pass",
    ));
    v.extend(xdp::parse_ipv4(l3, end, proto, "pass", Some(l4)));
    v.push(jmp_imm(JmpOp::Jne, proto, IPPROTO_UDP, "pass"));
    // IPv4 falls through into UDP; the IPv6 block sits after the exit and jumps back.
    v.push(label("udp"));
    v.extend(xdp::parse_udp_be(l4, end, proto, "pass"));
    v.push(jmp_imm(JmpOp::Jne, proto, xdp::htons(PARSE_PORT), "pass"));
    // redirect_to_xsk_by_queue without its exit: the exit is shared with `pass` (r0 = 2).
    v.push(xdp::load_ctx_field(Reg::R2, ctx, xdp::XdpMdField::RxQueueIndex).into());
    v.extend(xdp::redirect_map("xsks", Reg::R2, XdpAction::Pass.value()));
    v.push(label("pass"));
    v.push(dsl::exit().into());
    v.push(label("v6"));
    v.extend(xdp::parse_ipv6(l3, end, proto, "pass", Some(l4)));
    v.push(jmp_imm(JmpOp::Jne, proto, IPPROTO_UDP, "pass"));
    v.push(ja("udp"));
    v
}

/// A straight program of exactly `n` slots that both verifiers accept: `n / 9` copies of a
/// bounds-checked packet read, joined by labels (so each copy is a branch and a join).
fn generated_text(n: usize) -> String {
    let mut s = String::from("r2 = *(u32 *)(r1 + 0)\nr3 = *(u32 *)(r1 + 4)\nr6 = 0\n");
    let mut slots = 3;
    let mut k = 0;
    while slots + 9 + 2 <= n {
        s.push_str(&format!(
            "r4 = r2\nr4 += 34\nif r4 > r3 goto skip{k}\nr5 = *(u8 *)(r2 + 23)\nr6 += r5\n\
             r6 &= 255\nskip{k}:\nr7 = r6\nr7 <<= 2\nr7 ^= 85\n"
        ));
        slots += 9;
        k += 1;
    }
    while slots + 2 < n {
        s.push_str("r7 += 1\n");
        slots += 1;
    }
    s.push_str("r0 = XDP_PASS\nexit\n");
    s
}

fn raw_bytes(a: &Assembled) -> Vec<u8> {
    let mut insns = a.insns.clone();
    for r in &a.relocations {
        if let Some(i) = insns.get_mut(r.insn_index) {
            i.regs = (i.regs & 0x0f) | (BPF_PSEUDO_MAP_FD << 4);
            i.imm = 0;
        }
    }
    ebpf_dsl::insn::to_bytes(&insns)
}

fn show(errs: &[asm::Diagnostic], src: &str, file: &str) -> String {
    errs.iter()
        .map(|d| d.render(src, file))
        .collect::<Vec<_>>()
        .join("\n")
}

fn dump(dir: &str) -> Result<(), String> {
    std::fs::create_dir_all(dir).map_err(|e| format!("create {dir}: {e}"))?;
    let progs: [(&str, Vec<Item>); 3] = [
        ("xsk_all", ebpf_dsl::seeds::redirect_all("xsks")),
        ("xsk_udp", ebpf_dsl::seeds::redirect_udp("xsks")),
        ("parse_udp", parse_udp_program()),
    ];
    for (name, items) in progs {
        let a = dsl::assemble(&items)
            .map_err(|e| format!("{name}: {}", show(e.diagnostics(), "", name)))?;
        // Every program the kernel will be given must pass our own verifier first.
        let maps = [MapSpec {
            name: "xsks".into(),
            map_type: MapType::Xskmap,
            key_size: 4,
            value_size: 4,
            max_entries: 64,
            flags: 0,
            btf: None,
            inner: None,
        }];
        let input = VerifyInput::new(&a.insns, ProgramType::Xdp).with_maps(&a.relocations, &maps);
        if let Err(errs) = verify(&input) {
            let msgs: Vec<String> = errs.iter().map(|e| e.to_string()).collect();
            return Err(format!(
                "{name}: rejected by the static verifier: {}",
                msgs.join("; ")
            ));
        }
        let path = format!("{dir}/{name}.insns");
        std::fs::write(&path, raw_bytes(&a)).map_err(|e| format!("write {path}: {e}"))?;
        println!("{path}: {} slots", a.insns.len());
    }
    for n in GEN_SIZES {
        let text = generated_text(n);
        let a = asm::assemble(&text).map_err(|e| show(&e, &text, "gen"))?;
        let s_path = format!("{dir}/gen{n}.s");
        let i_path = format!("{dir}/gen{n}.insns");
        std::fs::write(&s_path, &text).map_err(|e| format!("write {s_path}: {e}"))?;
        std::fs::write(&i_path, raw_bytes(&a)).map_err(|e| format!("write {i_path}: {e}"))?;
        println!("{i_path}: {} slots", a.insns.len());
    }
    Ok(())
}

/// The static verifier's pass (`ebpf_dsl::verifier`), returning the instructions it processed
/// over all paths (the kernel's `processed N insns`).
fn static_verify(a: &Assembled) -> Result<usize, String> {
    let input = VerifyInput::new(&a.insns, ProgramType::Xdp);
    match verify(&input) {
        Ok(report) => Ok(report.insns_processed),
        Err(errs) => Err(errs
            .iter()
            .map(|e| e.to_string())
            .collect::<Vec<_>>()
            .join("\n")),
    }
}

fn best(v: Vec<f64>) -> f64 {
    v.into_iter().fold(f64::INFINITY, f64::min)
}

fn compile(file: &str) -> Result<(), String> {
    let src = std::fs::read_to_string(file).map_err(|e| format!("read {file}: {e}"))?;
    let (mut parse_us, mut check_us, mut verify_us, mut total_us) =
        (vec![], vec![], vec![], vec![]);
    let mut insns = 0;
    let mut processed = 0;
    for _ in 0..5 {
        let t0 = Instant::now();
        let items = asm::parse(&src).map_err(|e| show(&e, &src, file))?;
        let a = asm::resolve(&items).map_err(|e| show(&e, &src, file))?;
        let t1 = Instant::now();
        let errs = asm::check(&a);
        if !errs.is_empty() {
            return Err(show(&errs, &src, file));
        }
        let t2 = Instant::now();
        let processed_now = static_verify(&a)?;
        let t3 = Instant::now();
        insns = a.insns.len();
        processed = processed_now;
        let us = |a: Instant, b: Instant| (b - a).as_secs_f64() * 1e6;
        parse_us.push(us(t0, t1));
        check_us.push(us(t1, t2));
        verify_us.push(us(t2, t3));
        total_us.push(us(t0, t3));
    }
    println!(
        "RESULT impl=rust bench=compile insns={insns} processed_insns={processed} parse_us={:.0} \
         check_us={:.0} verify_us={:.0} total_us={:.0}",
        best(parse_us),
        best(check_us),
        best(verify_us),
        best(total_us)
    );
    Ok(())
}

/// the Rust side of the benchmark's XDP-program and compile-time workloads (bench/run.sh)
#[derive(Debug, Parser)]
#[command(name = "bench-progs")]
enum Cli {
    /// write ours' programs as raw instruction slots (DIR/NAME.insns) and the generated
    /// programs' text (DIR/genN.s, N = 1000, 10000)
    Dump {
        /// the output directory
        #[arg(value_name = "DIR")]
        dir: String,
    },
    /// time parse + resolve + check + verify of FILE (assembler text), best of 5 runs (as the
    /// kernel side), and print a RESULT line
    Compile {
        /// the assembler text
        #[arg(value_name = "FILE")]
        file: String,
    },
}

fn main() -> ExitCode {
    let r = match Cli::try_parse() {
        Ok(Cli::Dump { dir }) => dump(&dir),
        Ok(Cli::Compile { file }) => compile(&file),
        Err(e) => {
            let _ = e.print();
            return ExitCode::from(u8::try_from(e.exit_code()).unwrap_or(2));
        }
    };
    match r {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("bench-progs: {e}");
            ExitCode::FAILURE
        }
    }
}
