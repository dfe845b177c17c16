//! A differential fuzzer for pointer arithmetic and access on every pointer kind, and for
//! helper argument checking, against the running kernel (`ptr_gen`).
//!
//! Area 1 (`ptr_gen::access`): socket-filter, XDP and tc programs holding one pointer of each
//! kind (context, packet, packet metadata, map value with and without a NULL check, map
//! pointer, stack, socket from a lookup, `__sk_buff.sk`, ring buffer memory), moved by a
//! random chain of ALU64 / ALU32 operations with scalars of random bounds and of spills (through
//! a copy of the frame pointer, across a helper call, with a byte of the slot overwritten) whose
//! filled value is moved again, then loaded from, stored to, used by an atomic, or passed to a
//! helper as memory. Area 2 (`ptr_gen::args`):
//! one call of a helper drawn from the static verifier's own table among those the program
//! type is offered, each argument built from its kind (memory and size from the stack, the
//! packet, a map value, ring buffer memory, the context; map pointers of the right and wrong
//! type; keys and values; sockets with and without NULL checks; reference leaks and double
//! releases; constant strings of a frozen read-only map; read-only and write-only maps), now
//! and then deliberately wrong; and, for a tenth of them, ring buffer and local dynptrs passed
//! to `bpf_dynptr_read` / `_write` / `_data`.
//!
//! The kernel's verdict (`BPF_PROG_LOAD`, as root: the privileged rules) is the ground truth;
//! the test fails on any program the static verifier (targeting the running kernel) accepts
//! and the kernel rejects, and when false rejects pass 1% of what the kernel accepts. Needs
//! root; skips with a message otherwise unless `CI=true`.
//!
//! `PTR_FUZZ_SEED=n PTR_FUZZ_PROGRAMS=m` (programs per area; default 4,000) explores other
//! programs; `PTR_FUZZ_AREA=1|2` runs one area; `FUZZ_SHOW_REJECTS=k` prints `k` false rejects
//! a row; `FUZZ_REASONS=1` tallies the kernel's reasons for the programs it refuses.

use xsk_testkit::kernel_tests;

mod common;
mod ptr_gen;
use common::{Rng, Row};

use std::collections::BTreeMap;
use std::time::Instant;

use ebpf_dsl::asm::{assemble_unchecked, Assembled};
use ebpf_dsl::verifier::{verify, VerifyInput};
use ebpf_dsl::{MapSpec, ProgramType};
use xsk_runtime::maps::Map;
use xsk_runtime::program::LoadOptions;
use xsk_runtime::Loader;

const TYPES: [ProgramType; 3] = [
    ProgramType::SocketFilter,
    ProgramType::Xdp,
    ProgramType::SchedCls,
];

/// The kernel's verdict: through the pre-made maps, or (a program declaring the frozen
/// `str` map) through the loader, which creates, fills and freezes it.
fn kernel(
    pt: ProgramType,
    a: &Assembled,
    specs: &[MapSpec],
    maps: &[&Map],
    src: &str,
) -> Result<(), String> {
    if a.maps.is_empty() {
        return common::kernel_verdict("ptrfuzz", pt, a, specs, maps, src);
    }
    let spec = a
        .clone()
        .into_program_spec("ptrfuzz", pt, "GPL", specs.to_vec());
    common::verdict(
        Loader::new()
            .data(a.data.clone())
            .program_with(spec, LoadOptions::default())
            .load(),
        src,
    )
}

fn pointers_and_helper_arguments_agree_with_the_kernel() {
    let seed = common::env_num("PTR_FUZZ_SEED").unwrap_or(0x9f7e_a11e);
    let count = common::env_num("PTR_FUZZ_PROGRAMS").unwrap_or(4000) as usize;
    let area = common::env_num("PTR_FUZZ_AREA").unwrap_or(0);
    let show = common::env_num("FUZZ_SHOW_REJECTS").unwrap_or(0) as usize;
    let specs = ptr_gen::maps();
    let kernel_maps: Vec<Vec<Map>> = TYPES
        .iter()
        .map(|_| {
            specs
                .iter()
                .map(|s| Map::create(s).unwrap_or_else(|e| panic!("creating map {}: {e}", s.name)))
                .collect()
        })
        .collect();
    let running = common::running_kernel();
    let vmlinux = std::fs::read("/sys/kernel/btf/vmlinux")
        .ok()
        .and_then(|b| ebpf_dsl::btf::Btf::decode(&b).ok());
    let mut rng = Rng(seed);
    // `FUZZ_REASONS=1`: the kernel's reasons for the programs it refuses, by area.
    let tally = common::env_num("FUZZ_REASONS").is_some_and(|n| n != 0);
    let mut reasons: BTreeMap<(u8, String), usize> = BTreeMap::new();
    let start = Instant::now();
    // Rows: (area, row name, program type).
    let mut rows: BTreeMap<(u8, String, &'static str), Row> = BTreeMap::new();
    let candidates: Vec<_> = TYPES
        .iter()
        .map(|&t| ptr_gen::args::candidates(t))
        .collect();
    for ar in [1u8, 2] {
        if area != 0 && area != u64::from(ar) {
            continue;
        }
        for i in 0..count {
            let ti = rng.below(3) as usize;
            let pt = TYPES[ti];
            let mut g = ptr_gen::Gen::new(&mut rng, pt);
            let row_name = if ar == 1 {
                let mut kind = g.rng.pick(&ptr_gen::access::Kind::ALL);
                // Kinds the program type cannot hold: mostly drawn again.
                while unfit(kind, pt) && g.rng.chance(90) {
                    kind = g.rng.pick(&ptr_gen::access::Kind::ALL);
                }
                ptr_gen::access::program(&mut g, kind);
                kind.name().to_string()
            } else if g.rng.chance(10) {
                ptr_gen::dynptr::program(&mut g).to_string()
            } else {
                let p = g.rng.pick(&candidates[ti]);
                ptr_gen::args::program(&mut g, p);
                p.name.to_string()
            };
            let src = g.finish();
            let a = assemble_unchecked(&src)
                .unwrap_or_else(|d| panic!("generated program does not assemble: {d:?}\n{src}"));
            let all_specs: Vec<MapSpec> = specs.iter().chain(&a.maps).cloned().collect();
            let mut input = VerifyInput::new(&a.insns, pt)
                .with_maps(&a.relocations, &all_specs)
                .with_data(&a.data)
                .with_kernel(running)
                .with_unavailable_helpers(common::running_unavailable(pt));
            // Every other program with the running kernel's BTF (map pointer members, kernel
            // structures walked), the others without (this verifier's built-in layouts).
            if i % 2 == 1 {
                input.vmlinux = vmlinux.as_ref();
            }
            let ours = verify(&input);
            let refs: Vec<&Map> = kernel_maps[ti].iter().collect();
            let kernel = kernel(pt, &a, &specs, &refs, &src);
            if let (true, Err(log)) = (tally, &kernel) {
                let why = log
                    .lines()
                    .rev()
                    .find(|l| !l.is_empty() && !l.starts_with("processed "))
                    .unwrap_or("");
                let key: String = why
                    .chars()
                    .map(|c| if c.is_ascii_digit() { '#' } else { c })
                    .collect();
                *reasons.entry((ar, key)).or_default() += 1;
            }
            let row = rows.entry((ar, row_name, pt.name())).or_default();
            row.programs += 1;
            let head = || format!("--- area {ar} {} program #{i}\n{src}", pt.name());
            match (&ours, &kernel) {
                (Ok(_), Ok(())) => row.acc_acc += 1,
                (Err(_), Err(_)) => row.rej_rej += 1,
                (Ok(_), Err(log)) => {
                    row.false_accept
                        .push(common::case_text(head(), None, Some(log)))
                }
                (Err(e), Ok(())) => {
                    row.false_reject
                        .push(common::case_text(head(), Some(e[0].to_string()), None))
                }
            }
        }
    }
    let mut reasons: Vec<_> = reasons.into_iter().collect();
    reasons.sort_by_key(|r| std::cmp::Reverse(r.1));
    for ((ar, why), n) in reasons.iter().take(40) {
        println!("{n:>6}  area {ar}: {why}");
    }
    common::print_false_reject_causes(rows.values());
    println!(
        "pointer and helper-argument fuzz (seed {seed:#x}, {count} programs an area, {:.1?}):",
        start.elapsed()
    );
    let mut totals = Vec::new();
    for ar in [1u8, 2] {
        let area_rows: Vec<_> = rows
            .iter()
            .filter(|((a, name, _), r)| {
                *a == ar
                    && (ar == 1
                        || name.starts_with("dynptr")
                        || !r.false_accept.is_empty()
                        || !r.false_reject.is_empty())
            })
            .map(|((_, name, ty), r)| (name.clone(), *ty, r))
            .collect();
        if rows.keys().all(|k| k.0 != ar) {
            continue;
        }
        println!(
            "area {ar} ({}):",
            if ar == 1 {
                "pointer kinds"
            } else {
                "helper arguments; the dynptr rows and rows with a disagreement"
            }
        );
        common::print_rows(18, area_rows);
        let mut sum = Row::default();
        for ((a, _, _), r) in &rows {
            if *a == ar {
                sum.programs += r.programs;
                sum.acc_acc += r.acc_acc;
                sum.rej_rej += r.rej_rej;
                sum.false_accept.extend(r.false_accept.iter().cloned());
                sum.false_reject.extend(r.false_reject.iter().cloned());
            }
        }
        println!(
            "area {ar} total: {} programs, {} accepted by the kernel, {} false accepts, {} false rejects",
            sum.programs,
            sum.kernel_accepts(),
            sum.false_accept.len(),
            sum.false_reject.len()
        );
        totals.push(sum);
    }
    common::print_disagreements(rows.values(), show);
    let fa: usize = totals.iter().map(|r| r.false_accept.len()).sum();
    let fr: usize = totals.iter().map(|r| r.false_reject.len()).sum();
    let accepts: usize = totals.iter().map(Row::kernel_accepts).sum();
    let programs: usize = totals.iter().map(|r| r.programs).sum();
    assert!(
        accepts * 5 > programs,
        "the kernel accepts only {accepts} of {programs} generated programs: the generator is broken"
    );
    assert_eq!(
        fa, 0,
        "the static verifier accepted {fa} programs the kernel rejects"
    );
    assert!(
        fr * 100 <= accepts,
        "false rejects rose to {fr} of {accepts} kernel-accepted programs (ceiling 1%)"
    );
}

/// Whether a pointer kind is one the program type cannot hold (drawn rarely, as a mistake).
fn unfit(kind: ptr_gen::access::Kind, pt: ProgramType) -> bool {
    use ptr_gen::access::Kind;
    match kind {
        Kind::Pkt | Kind::PktMeta => pt == ProgramType::SocketFilter,
        Kind::Socket => pt == ProgramType::SocketFilter,
        Kind::SkbSk => pt == ProgramType::Xdp,
        _ => false,
    }
}

kernel_tests! {
    privileged: [pointers_and_helper_arguments_agree_with_the_kernel],
}
