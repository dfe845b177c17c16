//! A differential fuzzer for the ISA v4 instructions clang emits at `-mcpu=v4` (and the
//! operations around them) against the running kernel: sign-extending moves in 64 and 32 bits
//! (`rX = (s8)rY`, `wX = (s16)wY`), sign-extending loads of spilled stack slots (`*(s8 *)`
//! fills of 1- to 8-byte spills, at the slot's start and inside it), byte swaps (`bswap16/32/64`,
//! `be*`, `le*`), signed and unsigned division and modulo by constants and registers in 64 and
//! 32 bits, then shifts, masks and comparisons. Each program ends either in a branch to an
//! invalid dereference or in a store through a map value pointer plus one of the numbers, so it
//! loads only if the verifier bounds that number. The kernel's verdict (`BPF_PROG_LOAD`, as root)
//! is the ground truth; any program the static verifier (targeting the running kernel) accepts
//! and the kernel rejects fails the test. Needs root; skips with a message otherwise unless
//! `CI=true`.
//!
//! `V4_FUZZ_SEED=n V4_FUZZ_PROGRAMS=m` explores other programs.

use xsk_testkit::kernel_tests;

mod common;
use common::Rng;

use std::fmt::Write as _;

/// Constants around the sign boundaries of 8, 16 and 32 bits.
const VALUES: [i64; 30] = [
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
    128,
    255,
    256,
    -1,
    -2,
    -4,
    -8,
    -128,
    -129,
    0x7fff,
    0x8000,
    0xffff,
    0x7fff_ffff,
    -0x8000_0000,
    0xff00,
    1 << 20,
];

/// One step on the numbers: a v4 operation, a spill and sign-extending fill, arithmetic, or a
/// comparison that ends one path.
fn step(rng: &mut Rng, p: &mut String, live: &mut Vec<&'static str>, label: &mut u32) {
    let d = rng.pick(&["r2", "r3", "r4", "r5", "r6", "r7", "r8"]);
    let s = rng.pick(live);
    let (dn, sn) = (&d[1..], &s[1..]);
    let w = if rng.chance(35) { "w" } else { "r" };
    let k = rng.below(100);
    if k < 15 {
        if w == "w" {
            let _ = writeln!(p, "w{dn} = (s{})w{sn}", rng.pick(&[8, 16]));
        } else {
            let _ = writeln!(p, "{d} = (s{}){s}", rng.pick(&[8, 16, 32]));
        }
        live.push(d);
    } else if k < 27 {
        if !live.contains(&d) {
            return;
        }
        let op = rng.pick(&[
            "bswap16", "bswap32", "bswap64", "be16", "be32", "be64", "le16", "le32", "le64",
        ]);
        let _ = writeln!(p, "{d} = {op} {d}");
    } else if k < 42 {
        if !live.contains(&d) {
            return;
        }
        let op = rng.pick(&["s/=", "s%=", "/=", "%="]);
        if rng.chance(60) {
            let c = loop {
                let c = rng.pick(&VALUES);
                if c != 0 {
                    break c;
                }
            };
            let _ = writeln!(p, "{w}{dn} {op} {c}");
        } else {
            let _ = writeln!(p, "{w}{dn} {op} {w}{sn}");
        }
    } else if k < 55 {
        let size = rng.pick(&[1, 2, 4, 8]);
        let off = 8 * (1 + rng.below(4)) as i64;
        if rng.chance(70) {
            let _ = writeln!(p, "*(u{} *)(r10 - {off}) = {s}", size * 8);
        } else {
            let c = rng.pick(&[0, 1, -1, 0x80, 0x8000, -128]);
            let _ = writeln!(p, "*(u{} *)(r10 - {off}) = {c}", size * 8);
        }
        let fill = rng.pick(&[1, 2, 4]);
        let inside = rng.pick(&[0, 0, 0, 4, 6, 7]);
        let roff = if rng.chance(30) && (off - inside) % fill == 0 && inside != 0 {
            off - inside
        } else {
            off
        };
        let _ = writeln!(p, "{d} = *(s{} *)(r10 - {roff})", fill * 8);
        live.push(d);
    } else if k < 65 {
        if !live.contains(&d) {
            return;
        }
        let op = rng.pick(&["+=", "-=", "&=", "|=", "<<=", ">>=", "s>>="]);
        let c = if op.ends_with("<=") || op.ends_with(">=") {
            rng.below(if w == "w" { 32 } else { 64 }) as i64
        } else {
            rng.pick(&VALUES)
        };
        let _ = writeln!(p, "{w}{dn} {op} {c}");
    } else {
        if !live.contains(&d) {
            return;
        }
        let op = rng.pick(&[
            ">", ">=", "<", "<=", "s>", "s<", "==", "!=", "&", "s>=", "s<=",
        ]);
        let others: Vec<&str> = live.iter().copied().filter(|r| *r != d).collect();
        let rhs = if rng.chance(70) || others.is_empty() {
            rng.pick(&VALUES).to_string()
        } else {
            format!("{w}{}", &rng.pick(&others)[1..])
        };
        let _ = writeln!(
            p,
            "if {w}{dn} {op} {rhs} goto l{label}\nr0 = 0\nexit\nl{label}:"
        );
        *label += 1;
    }
}

fn program(rng: &mut Rng) -> String {
    let mut p = String::from("r9 = r1\n");
    let mut live = vec!["r6", "r7", "r8"];
    for r in ["r6", "r7", "r8"] {
        let _ = writeln!(p, "{r} = *(u32 *)(r9 + {})", rng.pick(&[12, 16]));
        if rng.chance(60) {
            let m = rng.pick(&[7, 15, 63, 255, 0xfff, 0x7fff_ffff, 0xff80, 0x80]);
            let _ = writeln!(p, "{r} &= {m}");
        }
        if rng.chance(30) {
            let op = rng.pick(&["-=", "+=", "|=", "^="]);
            let _ = writeln!(p, "{r} {op} {}", rng.pick(&VALUES));
        }
    }
    let mut label = 0;
    for _ in 0..3 + rng.below(10) {
        step(rng, &mut p, &mut live, &mut label);
    }
    let s = &rng.pick(&live)[1..];
    if rng.chance(50) {
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
            128,
            255,
            256,
            0x7fff,
            0x8000,
            0xffff,
            0x7fff_ffff,
            -1,
            -8,
            -128,
            -129,
        ]);
        let _ = write!(
            p,
            "if {w}{s} {op} {c} goto bad\nr0 = 2\nexit\nbad:\nr0 = 7\nr0 = *(u64 *)(r0 + 0)\nexit\n"
        );
    } else {
        let _ = write!(
            p,
            "*(u32 *)(r10 - 64) = 0\nr2 = r10\nr2 += -64\nr1 = m ll\ncall bpf_map_lookup_elem\n\
             if r0 == 0 goto out\nr0 += r{s}\n*(u8 *)(r0 + {}) = 1\nout:\nr0 = 2\nexit\n",
            rng.pick(&[0, 0, 8])
        );
    }
    p
}

fn v4_operations_agree_with_the_kernel() {
    let seed = common::env_num("V4_FUZZ_SEED").unwrap_or(0x0004_5eed);
    let count = common::env_num("V4_FUZZ_PROGRAMS").unwrap_or(2000) as usize;
    let mut rng = Rng(seed);
    common::fuzz_against_kernel("v4 fuzz", "v4fuzz", seed, count, || program(&mut rng));
}

kernel_tests! {
    privileged: [
        v4_operations_agree_with_the_kernel,
    ],
}
