//! A differential fuzzer for the 32-bit ALU operations on the sub-register domain against the
//! running kernel: numbers of random ranges and known bits (masks, sums, `|`, and comparisons
//! that narrow them, in 32 bits), then one to three 32-bit operations (`*=`, `&=`, `|=`, `^=`,
//! shifts, negation, division and modulo, byte swaps, sign-extending moves, `+=`, `-=`; by
//! constants and by the other number; now and then a 64-bit one; 64-bit refinements then a
//! 32-bit move or comparison, whose sub-register bounds only the bounds' sync gives), and a
//! comparison that exposes a bound of the result (a branch to an invalid dereference) or a
//! map value access at it. A bound this verifier computes tighter than the kernel's is a false accept, which
//! fails the test. The kernel's verdict (`BPF_PROG_LOAD`, as root) is the ground truth. Needs
//! root; skips with a message otherwise unless `CI=true`.
//!
//! `ALU32_FUZZ_SEED=n ALU32_FUZZ_PROGRAMS=m` explores other programs.

use xsk_testkit::kernel_tests;

mod common;
use common::Rng;

use std::fmt::Write as _;

/// Constants around the sign boundaries of 8, 16 and 32 bits and the overflow of products.
const VALUES: [i64; 32] = [
    0,
    1,
    2,
    3,
    5,
    7,
    8,
    15,
    16,
    31,
    100,
    127,
    128,
    255,
    256,
    1000,
    0x7fff,
    0x8000,
    0xffff,
    0x1_0000,
    0x7fff_ffff,
    -0x8000_0000,
    -1,
    -2,
    -3,
    -8,
    -128,
    -129,
    -203,
    -0x8000,
    0x0fff_ffff,
    -0x1000_0000,
];

/// A random constant: one of [`VALUES`] or a random 32-bit one.
fn constant(rng: &mut Rng) -> i64 {
    if rng.chance(75) {
        rng.pick(&VALUES)
    } else {
        rng.next() as u32 as i32 as i64
    }
}

/// Gives `r` (r6 or r7) a random range and known bits in its low half.
fn shape(rng: &mut Rng, p: &mut String, r: &str) {
    let n = &r[1..];
    let _ = writeln!(p, "{r} = *(u32 *)(r9 + {})", rng.pick(&[12, 16]));
    if rng.chance(70) {
        let m = if rng.chance(50) {
            rng.pick(&[
                1,
                3,
                7,
                0xff,
                0xfff,
                0xffff,
                0x7fff_ffff,
                0xff00,
                0x8000_00ff,
            ])
        } else {
            rng.next() as u32 as i64
        };
        let _ = writeln!(p, "w{n} &= {m}");
    }
    if rng.chance(50) {
        let op = rng.pick(&["+=", "-=", "|=", "^="]);
        let _ = writeln!(p, "w{n} {op} {}", constant(rng));
    }
    if rng.chance(50) {
        let op = rng.pick(&["<", ">", "s<", "s>", "<=", "s>="]);
        let _ = writeln!(p, "if w{n} {op} {} goto out", constant(rng));
    }
    // Refinements of the 64-bit bounds whose 32-bit consequences only the bounds' sync
    // gives (the consumers below read the sub-register): a sign extension of the low half,
    // a 64-bit comparison, then a 32-bit move or comparison.
    if rng.chance(20) {
        let _ = writeln!(p, "r{n} = (s32)r{n}");
    }
    if rng.chance(30) {
        let op = rng.pick(&["<", ">", "s<", "s>", "<=", "s>=", "=="]);
        let _ = writeln!(p, "if r{n} {op} {} goto out", constant(rng));
        if rng.chance(50) {
            let _ = writeln!(p, "w{n} = w{n}");
        }
    }
    // Now and then a comparison with itself that no value takes on a narrow number: the
    // kernel walks it on with the known bits and unbounded ranges (a failed sanity check).
    if rng.chance(8) {
        let op = rng.pick(&[">", "<", "s>", "s<"]);
        let w = rng.pick(&["w", "r"]);
        let _ = writeln!(
            p,
            "w{n} &= 1
if {w}{n} {op} {w}{n} goto same{n}
same{n}:"
        );
    }
}

/// One operation on `d` (r6 or r7), `s` the other.
fn operation(rng: &mut Rng, p: &mut String, d: &str, s: &str) {
    let (dn, sn) = (&d[1..], &s[1..]);
    let w = if rng.chance(85) { "w" } else { "r" };
    let k = rng.below(100);
    if k < 55 {
        let op = rng.pick(&["*=", "*=", "*=", "&=", "|=", "^=", "+=", "-="]);
        if rng.chance(60) {
            let _ = writeln!(p, "{w}{dn} {op} {}", constant(rng));
        } else {
            let _ = writeln!(p, "{w}{dn} {op} {w}{sn}");
        }
    } else if k < 70 {
        let op = rng.pick(&["<<=", ">>=", "s>>="]);
        let c = rng.below(if w == "w" { 32 } else { 64 });
        let _ = writeln!(p, "{w}{dn} {op} {c}");
    } else if k < 76 {
        let _ = writeln!(p, "{w}{dn} = -{w}{dn}");
    } else if k < 84 {
        let op = rng.pick(&["/=", "%=", "s/=", "s%="]);
        if rng.chance(60) {
            let c = loop {
                let c = constant(rng);
                if c != 0 {
                    break c;
                }
            };
            let _ = writeln!(p, "{w}{dn} {op} {c}");
        } else {
            let _ = writeln!(p, "{w}{dn} {op} {w}{sn}");
        }
    } else if k < 92 {
        let op = rng.pick(&["bswap16", "bswap32", "be16", "be32", "le16", "le32"]);
        let _ = writeln!(p, "{d} = {op} {d}");
    } else if k < 96 {
        let _ = writeln!(p, "w{dn} = (s{})w{sn}", rng.pick(&[8, 16]));
    } else {
        // A 32-bit move of the other number after a 64-bit refinement of it.
        let op = rng.pick(&["<", ">", "s<", "s>"]);
        let _ = writeln!(p, "if r{sn} {op} {} goto out\nw{dn} = w{sn}", constant(rng));
    }
}

fn program(rng: &mut Rng) -> String {
    let mut p = String::from("r9 = r1\n");
    shape(rng, &mut p, "r6");
    shape(rng, &mut p, "r7");
    for _ in 0..1 + rng.below(3) {
        let (d, s) = if rng.chance(70) {
            ("r6", "r7")
        } else {
            ("r7", "r6")
        };
        operation(rng, &mut p, d, s);
    }
    let r = rng.pick(&["6", "7"]);
    if rng.chance(75) {
        let w = if rng.chance(70) { "w" } else { "r" };
        let op = rng.pick(&[
            ">", ">=", "<", "<=", "s>", "s<", "s>=", "s<=", "==", "!=", "&",
        ]);
        let _ = write!(
            p,
            "if {w}{r} {op} {} goto bad\nr0 = 2\nexit\nbad:\nr0 = 7\nr0 = *(u64 *)(r0 + 0)\nexit\n",
            constant(rng)
        );
    } else {
        let _ = write!(
            p,
            "*(u32 *)(r10 - 64) = 0\nr2 = r10\nr2 += -64\nr1 = m ll\ncall bpf_map_lookup_elem\n\
             if r0 == 0 goto out\nr0 += r{r}\n*(u8 *)(r0 + {}) = 1\nr0 = 2\nexit\n",
            rng.pick(&[0, 0, 8])
        );
    }
    p.push_str("out:\nr0 = 2\nexit\n");
    p
}

fn alu32_operations_agree_with_the_kernel() {
    let seed = common::env_num("ALU32_FUZZ_SEED").unwrap_or(0x0032_5eed);
    let count = common::env_num("ALU32_FUZZ_PROGRAMS").unwrap_or(1000) as usize;
    let mut rng = Rng(seed);
    common::fuzz_against_kernel("alu32 fuzz", "alu32fuzz", seed, count, || program(&mut rng));
}

kernel_tests! {
    privileged: [
        alu32_operations_agree_with_the_kernel,
    ],
}
