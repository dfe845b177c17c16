//! Differential test of the static verifier against the running kernel on the features the
//! first two generators (`verifier_differential.rs`, `verifier_shapes.rs`) do not produce:
//!
//! - **open-coded iterators** (`bpf_iter_num_*`, `bpf_iter_bits_*`, called by name): loops
//!   bounded by the iterator whose bodies accumulate, read the packet, a map value or the stack
//!   indexed by the loop value (a bounds check per round), look a map up per round; nested
//!   loops; early exits that destroy the iterator or forget it;
//! - **RCU read sections** (`bpf_rcu_read_lock` / `_unlock`) around helper calls, iterator
//!   loops and calls of the program's functions, balanced on correlated branches;
//! - **load-acquire / store-release** on every memory kind (stack, map value, ring buffer
//!   memory, map pointer, context, packet, socket, a number) and size, at random offsets,
//!   misaligned ones included, pointer spills and fills through them;
//! - **map pointer reads** (`struct bpf_map` and the map type's fields, pointer members
//!   followed) through the kernel's BTF;
//! - **strict alignment**: packet, map value, ring buffer and stack accesses at constant and
//!   variable offsets, loaded with `BPF_F_STRICT_ALIGNMENT` and verified with the same flag.
//!
//! A fraction of the programs carry the usual mistake of the shape: an iterator at a wrong
//! stack offset, `next` without `new`, use after destroy, a destroy forgotten on an early
//! exit, no NULL test of the element, a write to it or past its 4 bytes, the iterator's slot
//! overwritten or read, a missing or short index bound; a nested RCU lock, an unlock missing
//! on a path or unmatched, a tail call or `LD_ABS` inside the section; ordered accesses
//! through the context, the packet or a socket, past the object or misaligned. Each program
//! goes through `ebpf_dsl::verifier::verify` and `BPF_PROG_LOAD` (as root); the test prints the
//! agreement per shape and every disagreement with its program, and fails on any false accept
//! or on false rejects above 1% of what the kernel accepts. Shapes need the kernel that has
//! their feature (load-acquire 6.15, the bits iterator 6.11, map pointer reads the kernel's
//! BTF); others are skipped, named on the output. Needs root; skips with a message otherwise
//! unless `CI=true`. `VERIFIER_FEATURES_SEED=n` explores another corpus,
//! `VERIFIER_FEATURES_PROGRAMS=n` runs n programs per (shape, program type).

use xsk_testkit::kernel_tests;

mod common;
use common::*;
mod feature_shapes;
use feature_shapes::{Gen, Shape, SHAPES};

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use ebpf_dsl::asm::assemble_unchecked;
use ebpf_dsl::verifier::{verify, VerifyInput};
use ebpf_dsl::{MapSpec, MapType, ProgramType};
use xsk_runtime::maps::Map;

const SEED: u64 = 0x5ba9_e50f_1017;
/// Programs per (shape, program type) by default.
const PROGRAMS: usize = 800;
/// `BPF_F_STRICT_ALIGNMENT`.
const STRICT: u32 = 1;

fn maps() -> Vec<MapSpec> {
    let m = common::map_spec;
    vec![
        // 64-byte values: eight u64 slots to index.
        m("vals", MapType::Array, 4, 64, 16),
        m("ring", MapType::Ringbuf, 0, 0, 4096),
        m("jumps", MapType::ProgArray, 4, 4, 4),
    ]
}

fn verifier_feature_shapes_agree_with_the_kernel() {
    let specs = maps();
    let seed = env_num("VERIFIER_FEATURES_SEED").unwrap_or(SEED);
    let per = env_num("VERIFIER_FEATURES_PROGRAMS").map_or(PROGRAMS, |n| n as usize);
    let running = running_kernel();
    let vmlinux = std::fs::read("/sys/kernel/btf/vmlinux")
        .ok()
        .and_then(|b| ebpf_dsl::btf::Btf::decode(&b).ok());
    let show_both = env_num("VERIFIER_FEATURES_BOTH").unwrap_or(0);
    let start = Instant::now();
    let mut rows: Vec<((Shape, ProgramType), Row)> = Vec::new();
    let mut n = 0u64;
    let (mut ours_time, mut kernel_time) = (Duration::ZERO, Duration::ZERO);
    for pt in [
        ProgramType::Xdp,
        ProgramType::SocketFilter,
        ProgramType::SchedCls,
    ] {
        let kmaps: Vec<Map> = specs
            .iter()
            .map(|s| Map::create(s).unwrap_or_else(|e| panic!("creating map {}: {e}", s.name)))
            .collect();
        let refs: Vec<&Map> = kmaps.iter().collect();
        for shape in SHAPES {
            if running < shape.since() {
                println!(
                    "skipped: {shape:?} needs Linux {} (running {running})",
                    shape.since()
                );
                continue;
            }
            if shape == Shape::MapPtr && vmlinux.is_none() {
                println!("skipped: {shape:?} needs /sys/kernel/btf/vmlinux");
                continue;
            }
            rows.push(((shape, pt), Row::default()));
            // `VERIFIER_FEATURES_BOTH=n` prints n programs per row both refuse (the reasons).
            let mut both_shown = 0;
            let row = &mut rows.last_mut().expect("just pushed").1;
            for i in 0..per {
                n += 1;
                let mut g = Gen::new(
                    Rng(seed.wrapping_mul(0x2545_f491_4f6c_dd1d).wrapping_add(n)),
                    pt,
                );
                let src = g.program(shape);
                let a = assemble_unchecked(&src).unwrap_or_else(|d| {
                    panic!("generated program does not assemble: {d:?}\n{src}")
                });
                let flags = if shape == Shape::Strict { STRICT } else { 0 };
                // The kernel's BTF for the map pointer reads; half the others verified with
                // it too (as `ebpf-dsl check --btf`), half without.
                let with_btf = shape == Shape::MapPtr || i % 2 == 0;
                let t0 = Instant::now();
                let mut input = VerifyInput::new(&a.insns, pt)
                    .with_maps(&a.relocations, &specs)
                    .with_kernel(running)
                    .with_unavailable_helpers(running_unavailable(pt))
                    .with_prog_flags(flags);
                if with_btf {
                    input.vmlinux = vmlinux.as_ref();
                }
                let ours = verify(&input);
                ours_time += t0.elapsed();
                let t1 = Instant::now();
                let kernel =
                    kernel_verdict_with_flags("featuretest", pt, &a, &specs, &refs, &src, flags);
                kernel_time += t1.elapsed();
                let case = || {
                    let head = format!(
                        "--- {shape:?} {pt} #{i} (flags {flags}, {} BTF)\n{src}",
                        if with_btf { "with" } else { "without" }
                    );
                    case_text(
                        head,
                        ours.as_ref().err().map(|e| e[0].to_string()),
                        kernel.as_ref().err().map(String::as_str),
                    )
                };
                row.programs += 1;
                match (&ours, &kernel) {
                    (Ok(_), Ok(())) => row.acc_acc += 1,
                    (Err(_), Err(_)) => {
                        row.rej_rej += 1;
                        if both_shown < show_both {
                            both_shown += 1;
                            println!("both reject\n{}", case());
                        }
                    }
                    (Ok(_), Err(_)) => row.false_accept.push(case()),
                    (Err(_), Ok(())) => row.false_reject.push(case()),
                }
            }
        }
    }
    report(&rows, seed, per, start.elapsed(), ours_time, kernel_time);
}

/// Prints the table and the disagreements; fails on a false accept or too many false rejects.
fn report(
    rows: &[((Shape, ProgramType), Row)],
    seed: u64,
    per: usize,
    took: Duration,
    ours_time: Duration,
    kernel_time: Duration,
) {
    let mut reasons: BTreeMap<String, usize> = BTreeMap::new();
    for (_, row) in rows {
        for c in &row.false_reject {
            if let Some(l) = c.lines().find(|l| l.starts_with("ours: ")) {
                let l = l.trim_start_matches("ours: ");
                let l = match l.split_once(": ") {
                    Some((head, rest)) if head.starts_with("instruction ") => rest,
                    _ => l,
                };
                *reasons.entry(l.chars().take(120).collect()).or_default() += 1;
            }
        }
    }
    let mut reasons: Vec<_> = reasons.into_iter().collect();
    reasons.sort_by_key(|r| std::cmp::Reverse(r.1));
    for (r, k) in reasons.iter().take(25) {
        println!("false reject x{k}: {r}");
    }
    println!(
        "verifier feature shapes vs kernel (seed {seed:#x}, {per} programs per shape and type, {took:.1?}; {ours_time:.1?} in our verifier, {kernel_time:.1?} in BPF_PROG_LOAD):"
    );
    let (fa, fr, kernel_accepts) = print_rows(
        11,
        rows.iter()
            .map(|((shape, pt), r)| (format!("{shape:?}"), pt.name(), r)),
    );
    let total = rows.iter().map(|(_, r)| r.programs).sum();
    let show = env_num("VERIFIER_FEATURES_SHOW").unwrap_or(2) as usize;
    print_disagreements(rows.iter().map(|(_, r)| r), show);
    assert_shapes_agree(fa, fr, kernel_accepts, kernel_accepts, total);
}

kernel_tests! {
    privileged: [
        verifier_feature_shapes_agree_with_the_kernel,
    ],
}
