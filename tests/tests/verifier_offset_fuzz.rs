//! A differential fuzzer for the kernel's 2^29 rule of pointer arithmetic
//! (`check_reg_sane_offset`: `pointer += scalar` is refused when the kernel's own minimum of the
//! scalar, or of the pointer's variable offset after it, is 2^29 or more), where this verifier
//! decides with exactness marks (`ebpf_dsl::verifier::exact`). Each program loads numbers of 1,
//! 2, 4 and 8 bytes (a map value, the context), mixes them with 64- and 32-bit ALU operations
//! (constants near 2^29 favoured), byte swaps, copies, spills and fills, helper calls,
//! comparisons with constants and registers whose paths join in both orders and small bounded
//! loops, then adds one of them to a map value, packet or stack pointer. The kernel's verdict
//! (`BPF_PROG_LOAD`, as root) is the ground truth: any program the static verifier accepts and
//! the kernel refuses fails the test. Needs root; skips with a message otherwise unless
//! `CI=true`.
//!
//! `OFFSET_FUZZ_SEED=n OFFSET_FUZZ_PROGRAMS=m` explores other programs; `OFFSET_FUZZ_DUMP=DIR`
//! writes them there too (for `tools/state-compare/fuzz_exact.sh`).

use xsk_testkit::kernel_tests;

mod common;
use common::Rng;

use std::fmt::Write as _;

const CONSTS: [i64; 22] = [
    0,
    1,
    7,
    0xff,
    0xffff,
    -1,
    -20,
    0x3c,
    0x1fff_ffff,
    0x2000_0000,
    0x1fff_fff0,
    0x2000_0010,
    0x1000_0000,
    0x3fff_ffff,
    -0x2000_0000,
    0x7fff_ffff,
    0x0fff_ffff,
    0xff00,
    0x20,
    0x10,
    1 << 20,
    -0x1fff_ffff,
];

const REGS: [&str; 5] = ["r6", "r7", "r8", "r2", "r3"];

fn program(rng: &mut Rng) -> String {
    let mut p = String::from(
        "r7 = *(u32 *)(r1 + 16)\nr8 = r1\n*(u32 *)(r10 - 4) = 0\nr2 = r10\nr2 += -4\nr1 = m ll\ncall bpf_map_lookup_elem\nif r0 == 0 goto out\nr9 = r0\n",
    );
    // r6, r2, r3 from the value, r7 from the context; r8 keeps the context for packets.
    for r in ["r6", "r2", "r3"] {
        let size = rng.pick(&[1u64, 2, 4, 8]);
        let off = size * rng.below(16 / size);
        let _ = writeln!(p, "{r} = *(u{} *)(r9 + {off})", size * 8);
    }
    let mut live: Vec<&str> = vec!["r6", "r7", "r2", "r3"];
    let mut label = 0;
    for _ in 0..3 + rng.below(10) {
        let d = rng.pick(&REGS[..]);
        if d == "r8" {
            continue;
        }
        let s = rng.pick(&live);
        let w32 = rng.chance(35);
        let w = if w32 { "w" } else { "r" };
        let (dn, sn) = (&d[1..], &s[1..]);
        let k = rng.below(100);
        let defined = live.contains(&d);
        if k < 40 && defined {
            let op = rng.pick(&[
                "+=", "-=", "&=", "|=", "^=", "*=", "<<=", ">>=", "s>>=", "+=", "&=", "|=",
            ]);
            let rhs = if op.ends_with("<=") || op.ends_with(">=") {
                rng.below(if w32 { 32 } else { 64 }).to_string()
            } else if rng.chance(75) {
                rng.pick(&CONSTS).to_string()
            } else {
                format!("{w}{sn}")
            };
            let _ = writeln!(p, "{w}{dn} {op} {rhs}");
        } else if k < 48 && defined {
            let _ = writeln!(
                p,
                "{d} = {} {d}",
                rng.pick(&["be16", "be32", "be64", "le16", "le32"])
            );
        } else if k < 58 {
            let _ = writeln!(p, "{w}{dn} = {w}{sn}");
            live.push(d);
        } else if k < 68 {
            let (size, off) = rng.pick(&[(8, 16), (4, 24), (8, 32), (2, 40)]);
            let _ = writeln!(p, "*(u{} *)(r10 - {off}) = {s}", size * 8);
            if rng.chance(40) {
                // A helper call between the spill and the fill: r1-r5 are clobbered.
                let _ = writeln!(p, "call bpf_get_prandom_u32");
                live.retain(|r| !matches!(*r, "r2" | "r3"));
                if live.is_empty() {
                    live.push("r6");
                    let _ = writeln!(p, "r6 = r0");
                }
            }
            let _ = writeln!(p, "{d} = *(u{} *)(r10 - {off})", size * 8);
            live.push(d);
        } else if k < 80 && defined {
            // A diamond: both orders of the join are walked (the kernel pushes the jump's
            // target and walks the fall-through first).
            let op = rng.pick(&[">", "<", "==", "!=", "s>", "&", ">=", "s<="]);
            let c = rng.pick(&live);
            let rhs = if rng.chance(70) {
                rng.pick(&CONSTS).to_string()
            } else {
                format!("{w}{}", &c[1..])
            };
            let a = rng.pick(&CONSTS);
            let b = rng.pick(&CONSTS);
            let _ = writeln!(
                p,
                "if {w}{} {op} {rhs} goto a{label}\n{w}{dn} {} {a}\ngoto j{label}\na{label}:\n{w}{dn} {} {b}\nj{label}:",
                &c[1..],
                rng.pick(&["+=", "&=", "|=", "="]),
                rng.pick(&["+=", "&=", "|=", "="]),
            );
            label += 1;
        } else if k < 86 && defined {
            // A small bounded loop.
            let _ = writeln!(
                p,
                "r5 = 0\nl{label}:\n{w}{dn} += {}\nr5 += 1\nif r5 < {} goto l{label}",
                rng.pick(&[1, 0x1000_0000, 0x3c, -1]),
                1 + rng.below(4)
            );
            label += 1;
        } else if k < 100 && defined {
            let _ = writeln!(
                p,
                "if {w}{dn} {} {} goto out",
                rng.pick(&[">", "<", "s>", "s<", ">=", "<="]),
                rng.pick(&CONSTS)
            );
        }
    }
    let off = rng.pick(&live);
    if rng.chance(20) {
        let _ = writeln!(
            p,
            "{off} += {}",
            rng.pick(&[0x1fff_fff0i64, 0x1000_0000, -0x1000_0000, 0x2000_0000])
        );
    }
    match rng.below(10) {
        0..=5 => {
            let _ = writeln!(p, "r9 += {off}");
        }
        6..=7 => {
            let _ = writeln!(
                p,
                "r4 = *(u32 *)(r8 + 0)\nr5 = *(u32 *)(r8 + 4)\nr4 += {off}\nr4 += 8\nif r4 > r5 goto out"
            );
        }
        _ => {
            let _ = writeln!(p, "r4 = r10\nr4 += {off}");
        }
    }
    p.push_str("out:\nr0 = 2\nexit\n");
    p
}

fn offsets_near_2_pow_29_agree_with_the_kernel() {
    let seed = common::env_num("OFFSET_FUZZ_SEED").unwrap_or(0x2_0000_0029);
    let count = common::env_num("OFFSET_FUZZ_PROGRAMS").unwrap_or(2000) as usize;
    let mut rng = Rng(seed);
    // `OFFSET_FUZZ_DUMP=DIR`: each program is also written there (`N.s`), for the state
    // oracle (`tools/state-compare`), which compares every exactness mark with the kernel.
    let dump = std::env::var_os("OFFSET_FUZZ_DUMP").map(std::path::PathBuf::from);
    let mut n = 0usize;
    common::fuzz_against_kernel("offset fuzz", "offfuzz", seed, count, || {
        let p = program(&mut rng);
        if let Some(d) = &dump {
            let _ = std::fs::write(d.join(format!("{n}.s")), &p);
        }
        n += 1;
        p
    });
}

kernel_tests! {
    privileged: [
        offsets_near_2_pow_29_agree_with_the_kernel,
    ],
}
