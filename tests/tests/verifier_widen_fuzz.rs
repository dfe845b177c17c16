//! A differential fuzzer for numbers narrowed in 32 bits (or fewer) and then used in 64 bits,
//! against the running kernel: a number of random range and known bits, then a chain of
//! narrowing steps (32-bit operations and their zero extension, sign-extending moves
//! `rX = (sN)rY` / `wX = (sN)wY`, sign-extending fills `*(sN *)` of a spilled number, 32-bit
//! comparisons, `&` tests (`if rX & K`) with either branch walked on), and a 64-bit use that
//! exposes the bounds: a comparison that guards an invalid dereference, an offset into a map
//! value, or a variable offset into the stack. A range or known bit this verifier holds tighter
//! than the kernel's is a false accept, which fails the test; the kernel's verdict
//! (`BPF_PROG_LOAD`, as root) is the ground truth. Needs root; skips with a message otherwise
//! unless `CI=true`.
//!
//! `WIDEN_FUZZ_SEED=n WIDEN_FUZZ_PROGRAMS=m` explores other programs (default 3,000).

use xsk_testkit::kernel_tests;

mod common;
use common::Rng;

use std::fmt::Write as _;

/// Constants around the sign boundaries of 8, 16 and 32 bits.
const VALUES: [i64; 24] = [
    0,
    1,
    3,
    7,
    0x7f,
    0x80,
    0xff,
    0x100,
    0x7fff,
    0x8000,
    0xffff,
    0x1_0000,
    0x7fff_ffff,
    -0x8000_0000,
    -1,
    -2,
    -0x80,
    -0x81,
    -0x8000,
    -0x8001,
    0x0fff_ffff,
    -0x1000_0000,
    0xf0,
    0xff00,
];

/// A random constant: one of [`VALUES`] or a random 32-bit one.
fn constant(rng: &mut Rng) -> i64 {
    if rng.chance(70) {
        rng.pick(&VALUES)
    } else {
        rng.next() as u32 as i32 as i64
    }
}

/// A mask for `&=` and `&` tests: a few bits, a byte, a sign bit, or random.
fn mask(rng: &mut Rng) -> i64 {
    if rng.chance(60) {
        rng.pick(&[
            1,
            2,
            4,
            0x80,
            0xff,
            0xf0,
            0x8000,
            0xffff,
            0x7fff_ffff,
            0x8000_0000,
            0xff00,
            0x180,
        ])
    } else {
        rng.next() as u32 as i64
    }
}

/// Gives r6 a random range and known bits (from a 32-bit context field).
fn shape(rng: &mut Rng, p: &mut String) {
    let _ = writeln!(p, "r6 = *(u32 *)(r9 + {})", rng.pick(&[12, 16]));
    if rng.chance(70) {
        let _ = writeln!(p, "w6 &= {}", mask(rng));
    }
    if rng.chance(40) {
        let op = rng.pick(&["+=", "-=", "|=", "^="]);
        let w = rng.pick(&["w", "r"]);
        let _ = writeln!(p, "{w}6 {op} {}", constant(rng));
    }
    if rng.chance(20) {
        // A 64-bit number of the low half's sign.
        let _ = writeln!(p, "r6 <<= 32\nr6 s>>= 32");
    }
}

/// One narrowing step on r6 (`n` numbers labels).
fn step(rng: &mut Rng, p: &mut String, n: usize) {
    match rng.below(100) {
        0..=19 => {
            let op = rng.pick(&["+=", "-=", "*=", "&=", "|=", "^=", "<<=", ">>=", "s>>="]);
            let c = if op.contains("<") || op.contains(">") {
                rng.below(32) as i64
            } else {
                constant(rng)
            };
            let _ = writeln!(p, "w6 {op} {c}");
        }
        20..=24 => {
            let _ = writeln!(p, "w6 = -w6");
        }
        25..=39 => {
            let bits = rng.pick(&[8, 16, 32]);
            if bits < 32 && rng.chance(40) {
                let _ = writeln!(p, "w6 = (s{bits})w6");
            } else {
                let _ = writeln!(p, "r6 = (s{bits})r6");
            }
        }
        40..=52 => {
            // A spill and a sign-extending (or plain) fill of its low bytes.
            let (store, bits) = rng.pick(&[("u64", 64), ("u32", 32), ("u16", 16)]);
            let src = if bits == 64 { "r6" } else { "w6" };
            let _ = writeln!(p, "*({store} *)(r10 - 8) = {src}");
            let sizes: &[u32] = match bits {
                64 => &[8, 16, 32],
                32 => &[8, 16, 32],
                _ => &[8, 16],
            };
            let k = rng.pick(sizes);
            let ty = if rng.chance(75) { "s" } else { "u" };
            let _ = writeln!(p, "r6 = *({ty}{k} *)(r10 - 8)");
        }
        53..=69 => {
            let op = rng.pick(&["<", ">", "s<", "s>", "<=", "s>=", "==", "!="]);
            let w = if rng.chance(70) { "w" } else { "r" };
            let _ = writeln!(p, "if {w}6 {op} {} goto out", constant(rng));
        }
        70..=89 => {
            // An `&` test, walked on from either branch (the other one leaves).
            let w = if rng.chance(60) { "w" } else { "r" };
            let k = if rng.chance(15) {
                rng.next() as i32 as i64
            } else {
                mask(rng)
            };
            if rng.chance(50) {
                let _ = writeln!(p, "if {w}6 & {k} goto out");
            } else {
                let _ = writeln!(p, "if {w}6 & {k} goto t{n}\ngoto out\nt{n}:");
            }
        }
        90..=94 => {
            let _ = writeln!(p, "w6 = w6");
        }
        _ => {
            // Compared with a second number of its own range: `r7` in 0..=K.
            let w = rng.pick(&["r", "w"]);
            let op = rng.pick(&[">", "<", "s>", "s<", "&"]);
            let _ = writeln!(
                p,
                "r7 = *(u32 *)(r9 + 16)\nw7 &= {}\nif {w}6 {op} {w}7 goto out",
                mask(rng),
            );
        }
    }
}

fn program(rng: &mut Rng) -> String {
    // (The comparison of the context with 0 keeps `out` reachable in every program.)
    let mut p = String::from("r9 = r1\nif r9 == 0 goto out\n");
    shape(rng, &mut p);
    for n in 0..1 + rng.below(4) as usize {
        step(rng, &mut p, n);
    }
    match rng.below(100) {
        0..=49 => {
            let w = if rng.chance(30) { "w" } else { "r" };
            let op = rng.pick(&[
                ">", ">=", "<", "<=", "s>", "s<", "s>=", "s<=", "==", "!=", "&",
            ]);
            let _ = write!(
                p,
                "if {w}6 {op} {} goto bad\nr0 = 2\nexit\nbad:\nr0 = 7\nr0 = *(u64 *)(r0 + 0)\nexit\n",
                constant(rng)
            );
        }
        50..=79 => {
            let _ = write!(
                p,
                "*(u32 *)(r10 - 64) = 0\nr2 = r10\nr2 += -64\nr1 = m ll\ncall bpf_map_lookup_elem\n\
                 if r0 == 0 goto out\nr0 += r6\n*(u8 *)(r0 {}) = 1\nr0 = 2\nexit\n",
                rng.pick(&["+ 0", "+ 0", "+ 8", "- 1"])
            );
        }
        _ => {
            let _ = write!(
                p,
                "*(u64 *)(r10 - 64) = 0\n*(u64 *)(r10 - 56) = 0\nr2 = r10\nr2 += {}\nr2 += r6\n\
                 r0 = *(u8 *)(r2 + 0)\nr0 = 2\nexit\n",
                rng.pick(&[-64, -56, -49])
            );
        }
    }
    p.push_str("out:\nr0 = 2\nexit\n");
    p
}

fn widened_numbers_agree_with_the_kernel() {
    let seed = common::env_num("WIDEN_FUZZ_SEED").unwrap_or(0x0000_31de);
    let count = common::env_num("WIDEN_FUZZ_PROGRAMS").unwrap_or(3000) as usize;
    let mut rng = Rng(seed);
    common::fuzz_against_kernel("widen fuzz", "widenfuzz", seed, count, || program(&mut rng));
}

kernel_tests! {
    privileged: [
        widened_numbers_agree_with_the_kernel,
    ],
}
