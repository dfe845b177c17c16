//! Differential test of the static verifier against the running kernel.
//!
//! A structure-aware generator (fixed seed) writes a few thousand XDP, socket-filter and tc
//! (`sched_cls`) programs the way people write them — packet parsing with bounds checks, variable header
//! offsets, stack spills, map lookups with null checks, helper calls, bounded loops, context
//! reads — and injects the usual mistakes into some of them (missing or short bounds checks,
//! checks on the wrong branch, missing null checks, reads of clobbered registers, bad context
//! offsets and sizes, out-of-frame or misaligned stack access, division by a zero constant,
//! out-of-range shifts, loops without progress, stale packet pointers after
//! `bpf_xdp_adjust_head`, helpers the program type may not call, leaked ring buffer
//! reservations, ...). Each program goes through `ebpf_dsl::verifier::verify` and through
//! `BPF_PROG_LOAD` (as root), and the test prints the agreement table.
//!
//! It fails on any false accept (we accept, the kernel rejects) and when false rejects exceed
//! 5% of the programs the kernel accepts. Where both reject, it also reports (without failing)
//! whether the kernel's log names the instruction we name, and a table of our rules against
//! the kernel's reasons (`kernel_log`). Needs root; skips with a message otherwise unless
//! `CI=true`.

use xsk_testkit::kernel_tests;

mod common;
use common::*;
mod differential_gen;
mod kernel_log;
use differential_gen::{maps, Gen};

use std::fmt::Write as _;
use std::time::Instant;

use ebpf_dsl::asm::assemble_unchecked;
use ebpf_dsl::verifier::{verify, VerifyInput};
use ebpf_dsl::ProgramType;
use xsk_runtime::maps::Map;

const SEED: u64 = 0x005e_ed0f_7e57;
const XDP_PROGRAMS: usize = 6000;
const SOCKET_FILTER_PROGRAMS: usize = 3000;
const TC_PROGRAMS: usize = 3000;

#[derive(Default)]
struct Table {
    acc_acc: usize,
    rej_rej: usize,
    false_accept: Vec<String>,
    false_reject: Vec<String>,
}

fn verifier_agrees_with_the_kernel() {
    let specs = maps();
    // One set of kernel maps per program type: a prog_array belongs to the program type that
    // first uses it, so sharing it would fail loads after verification.
    let create = || -> Vec<Map> {
        specs
            .iter()
            .map(|s| Map::create(s).unwrap_or_else(|e| panic!("creating map {}: {e}", s.name)))
            .collect()
    };
    let maps_by_type = [create(), create(), create()];
    let start = Instant::now();
    let mut tables = Vec::new();
    // `VERIFIER_DIFF_SEED=n` explores another corpus.
    let seed: u64 = std::env::var("VERIFIER_DIFF_SEED")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(SEED);
    let mut rng_seed = seed.wrapping_mul(0x9e37_79b9_7f4a_7c15);
    let mut ours_time = std::time::Duration::ZERO;
    // `VERIFIER_DIFF_PROGRAMS=n` runs n programs of each type instead (for quick iterations).
    let only: Option<usize> = std::env::var("VERIFIER_DIFF_PROGRAMS")
        .ok()
        .and_then(|v| v.parse().ok());
    let mut kernel_time = std::time::Duration::ZERO;
    // Where both reject: the instruction each names, and our rule against the kernel's reason.
    let mut both = kernel_log::BothReject::default();
    for (pt, count) in [
        (ProgramType::Xdp, XDP_PROGRAMS),
        (ProgramType::SocketFilter, SOCKET_FILTER_PROGRAMS),
        (ProgramType::SchedCls, TC_PROGRAMS),
    ] {
        let count = only.unwrap_or(count);
        let map_refs: Vec<&Map> = maps_by_type[match pt {
            ProgramType::Xdp => 0,
            ProgramType::SocketFilter => 1,
            _ => 2,
        }]
        .iter()
        .collect();
        let mut t = Table::default();
        for i in 0..count {
            rng_seed = rng_seed.wrapping_add(1);
            let src = Gen::program(
                rng_seed.wrapping_mul(0x2545_f491_4f6c_dd1d),
                pt,
                running_unavailable(pt),
            );
            let a = assemble_unchecked(&src)
                .unwrap_or_else(|d| panic!("generated program does not assemble: {d:?}\n{src}"));
            let t0 = Instant::now();
            let ours = verify(
                &VerifyInput::new(&a.insns, pt)
                    .with_maps(&a.relocations, &specs)
                    .with_kernel(running_kernel())
                    .with_unavailable_helpers(running_unavailable(pt)),
            );
            let dt_ours = t0.elapsed();
            ours_time += dt_ours;
            let t1 = Instant::now();
            let kernel = kernel_verdict("difftest", pt, &a, &specs, &map_refs, &src);
            let dt_kernel = t1.elapsed();
            kernel_time += dt_kernel;
            if std::env::var("VERIFIER_DIFF_SLOW").is_ok()
                && (dt_ours.as_millis() > 50 || dt_kernel.as_millis() > 50)
            {
                println!(
                    "slow: ours {dt_ours:?} kernel {dt_kernel:?} ours={:?}\n{src}",
                    ours.as_ref()
                        .map(|r| r.insns_processed)
                        .map_err(|e| e[0].to_string())
                );
            }
            let case = || {
                let mut s = format!("--- {pt} program #{i}\n{src}");
                if let Err(e) = &ours {
                    let _ = writeln!(s, "ours: {}", e[0]);
                }
                if let Err(log) = &kernel {
                    let tail: Vec<&str> = log.lines().rev().take(3).collect();
                    let _ = writeln!(
                        s,
                        "kernel: {}",
                        tail.into_iter().rev().collect::<Vec<_>>().join(" | ")
                    );
                }
                s
            };
            match (&ours, &kernel) {
                (Ok(_), Ok(())) => t.acc_acc += 1,
                (Err(e), Err(log)) => {
                    t.rej_rej += 1;
                    both.add(pt, &e[0], log, &src);
                }
                (Ok(_), Err(_)) => t.false_accept.push(case()),
                (Err(_), Ok(())) => t.false_reject.push(case()),
            }
        }
        tables.push((pt, count, t));
    }
    let mut reasons: std::collections::BTreeMap<String, usize> = Default::default();
    for (_, _, t) in &tables {
        for c in &t.false_reject {
            if let Some(l) = c.lines().find(|l| l.starts_with("ours: ")) {
                let r = l.split_once(": ").map(|x| x.1).unwrap_or(l);
                let r = r.split_once(": ").map(|x| x.1).unwrap_or(r);
                *reasons.entry(r.to_string()).or_default() += 1;
            }
        }
    }
    // The causes of false rejects first, so that the table is printed in one piece.
    for (r, n) in &reasons {
        println!("false reject x{n}: {r}");
    }
    println!(
        "verifier vs kernel {} (seed {seed:#x}, {:.1?} total, {:.1?} in our verifier, {:.1?} in BPF_PROG_LOAD):",
        std::env::consts::ARCH,
        start.elapsed(),
        ours_time,
        kernel_time
    );
    println!(
        "{:<14} {:>8} {:>13} {:>13} {:>13} {:>13}",
        "program type",
        "programs",
        "accept/accept",
        "reject/reject",
        "false accept",
        "false reject"
    );
    let mut fa = 0;
    let mut fr = 0;
    let mut kernel_accepts = 0;
    for (pt, n, t) in &tables {
        println!(
            "{:<14} {:>8} {:>13} {:>13} {:>13} {:>13}",
            pt.name(),
            n,
            t.acc_acc,
            t.rej_rej,
            t.false_accept.len(),
            t.false_reject.len()
        );
        fa += t.false_accept.len();
        fr += t.false_reject.len();
        kernel_accepts += t.acc_acc + t.false_reject.len();
    }
    println!(
        "false accepts: {fa}; false rejects: {fr} of the {kernel_accepts} programs the kernel \
         accepts ({:.1}%, limit 5%)",
        fr as f64 * 100.0 / kernel_accepts.max(1) as f64
    );
    print!("{}", both.report());
    for (_, _, t) in &tables {
        for c in t.false_accept.iter().take(10) {
            println!("FALSE ACCEPT\n{c}");
        }
        let show: usize = std::env::var("VERIFIER_DIFF_SHOW")
            .ok()
            .and_then(|v| v.parse().ok())
            .unwrap_or(5);
        for c in t.false_reject.iter().take(show) {
            println!("false reject\n{c}");
        }
    }
    assert_eq!(
        fa, 0,
        "the static verifier accepted {fa} programs the kernel rejects"
    );
    assert!(
        fr * 20 < kernel_accepts.max(1),
        "false rejects: {fr} of {kernel_accepts} programs the kernel accepts (limit 5%)"
    );
}

kernel_tests! {
    privileged: [verifier_agrees_with_the_kernel],
}
