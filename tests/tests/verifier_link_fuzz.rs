//! A small differential fuzzer for the parts of the static verifier where it must follow the
//! kernel most closely: registers linked by copies (`r2 = r1`, `w2 = w1`, sign-extending
//! moves in 64 and 32 bits, spills and fills of every size, sign-extending fills), constant deltas on links (`r2 += c`, `r2 -= c`,
//! `w2 += c`), and comparisons in 64 and 32 bits, against registers and constants — including
//! the lossy `&`-test, whose loss the kernel spreads to every linked copy. Each program ends in
//! a branch to an invalid dereference, so it loads only if the verifier proves that branch
//! dead. The kernel's verdict (`BPF_PROG_LOAD`, as root) is the ground truth; any program the
//! static verifier (targeting the running kernel) accepts and the kernel rejects fails the
//! test. Needs root; skips with a message otherwise unless `CI=true`.
//!
//! `LINK_FUZZ_SEED=n LINK_FUZZ_PROGRAMS=m` explores other programs.

use xsk_testkit::kernel_tests;

mod common;
use common::Rng;

use std::fmt::Write as _;

const VALUES: [i64; 23] = [
    0,
    1,
    3,
    4,
    7,
    8,
    9,
    14,
    15,
    16,
    31,
    63,
    64,
    127,
    255,
    -1,
    -4,
    -8,
    0x7fff_ffff,
    0x7fff_ffc0,
    -0x8000_0000,
    0xff00,
    1 << 20,
];

fn program(rng: &mut Rng) -> String {
    let mut p = String::from("r9 = r1\n");
    let mut live = vec!["r6", "r7", "r8"];
    for r in ["r6", "r7", "r8"] {
        let _ = writeln!(p, "{r} = *(u32 *)(r9 + {})", rng.pick(&[12, 16]));
        if rng.chance(60) {
            let _ = writeln!(
                p,
                "{r} &= {}",
                rng.pick(&[7, 15, 63, 255, 0xfff, 0x7fff_ffff])
            );
        }
    }
    let mut label = 0;
    for _ in 0..4 + rng.below(11) {
        let d = rng.pick(&["r2", "r3", "r4", "r5", "r6", "r7", "r8"]);
        let s = rng.pick(&live);
        let w32 = rng.chance(30);
        let (dn, sn) = (&d[1..], &s[1..]);
        let k = rng.below(100);
        if k < 18 {
            let w = if w32 { "w" } else { "r" };
            let _ = writeln!(p, "{w}{dn} = {w}{sn}");
            live.push(d);
        } else if k < 25 {
            if w32 {
                let _ = writeln!(p, "w{dn} = (s{})w{sn}", rng.pick(&[8, 16]));
            } else {
                let _ = writeln!(p, "{d} = (s{}){s}", rng.pick(&[8, 16, 32]));
            }
            live.push(d);
        } else if k < 45 {
            if !live.contains(&d) {
                continue;
            }
            let op = rng.pick(&["+=", "-=", "&=", "|=", "*=", "^=", "<<=", ">>="]);
            let c = if op.ends_with("<=") || op.ends_with(">=") {
                rng.below(if w32 { 32 } else { 64 }) as i64
            } else {
                rng.pick(&VALUES)
            };
            let _ = writeln!(p, "{}{dn} {op} {c}", if w32 { "w" } else { "r" });
        } else if k < 58 {
            let size = rng.pick(&[8, 4, 2, 1]);
            let off = if rng.chance(50) {
                8 * (1 + rng.below(4)) as i64
            } else {
                rng.pick(&[12, 4, 16, 24])
            };
            let off = if off % size != 0 {
                8 * (1 + rng.below(4)) as i64
            } else {
                off
            };
            if rng.chance(50) {
                let _ = writeln!(p, "*(u{} *)(r10 - {off}) = {s}", size * 8);
            } else {
                let _ = writeln!(
                    p,
                    "*(u{} *)(r10 - {off}) = {}",
                    size * 8,
                    rng.pick(&[0, 1, 45, -1])
                );
            }
        } else if k < 68 {
            let size = rng.pick(&[8, 4, 2, 1]);
            let off = 8 * (1 + rng.below(4));
            if rng.chance(30) {
                let _ = writeln!(p, "*(u64 *)(r10 - {off}) = 0");
            }
            // A sign-extending fill (`ldsx`) of 1, 2 or 4 bytes now and then.
            let sign = if size < 8 && rng.chance(30) { 's' } else { 'u' };
            let _ = writeln!(p, "{d} = *({sign}{} *)(r10 - {off})", size * 8);
            live.push(d);
        } else {
            if !live.contains(&d) {
                continue;
            }
            let w = if rng.chance(50) { "w" } else { "r" };
            let op = rng.pick(&[
                ">", ">=", "<", "<=", "s>", "s<", "==", "!=", "&", "s>=", "s<=",
            ]);
            let rhs = if rng.chance(70) {
                rng.pick(&VALUES).to_string()
            } else {
                format!("{w}{}", &rng.pick(&live)[1..])
            };
            let _ = writeln!(
                p,
                "if {w}{dn} {op} {rhs} goto l{label}\nr0 = 0\nexit\nl{label}:"
            );
            label += 1;
        }
    }
    let s = rng.pick(&live);
    let w = if rng.chance(50) { "w" } else { "r" };
    let op = rng.pick(&[">", ">=", "s>", "s<", "<", "==", "!=", "&", "s>=", "s<="]);
    let c = rng.pick(&[
        0i64,
        1,
        7,
        8,
        15,
        16,
        63,
        64,
        127,
        255,
        256,
        0xfff,
        0x7fff_ffff,
        -1,
        -8,
    ]);
    let _ = write!(
        p,
        "if {w}{} {op} {c} goto bad\nr0 = 2\nexit\nbad:\nr0 = 7\nr0 = *(u64 *)(r0 + 0)\nexit\n",
        &s[1..]
    );
    p
}

fn linked_registers_agree_with_the_kernel() {
    let seed = common::env_num("LINK_FUZZ_SEED").unwrap_or(0x114b_5eed);
    let count = common::env_num("LINK_FUZZ_PROGRAMS").unwrap_or(2000) as usize;
    let mut rng = Rng(seed);
    common::fuzz_against_kernel("link fuzz", "linkfuzz", seed, count, || program(&mut rng));
}

kernel_tests! {
    privileged: [
        linked_registers_agree_with_the_kernel,
    ],
}
