//! Seeded fuzzing of everything that takes input from a user: the assembler on random and
//! mutated text, the decoder and disassembler on random bytes (with the disasm -> asm round
//! trip), and the static verifier on random instruction streams. The property is "no panic,
//! and every error is an error value"; where the input is valid, the round trips must hold.
//!
//! Each target runs `FUZZ_ITERS` iterations (default 300, a few seconds in CI) from the seed
//! `FUZZ_SEED` (default fixed, so CI is reproducible). Run longer by hand:
//!
//! ```text
//! FUZZ_ITERS=200000 FUZZ_SEED=$RANDOM cargo test --release -p ebpf-dsl --test fuzz -- --nocapture
//! ```
//!
//! A failing case prints its seed and iteration and the input, so it can be replayed
//! (`FUZZ_SEED=S FUZZ_FROM=I FUZZ_ITERS=1`) and turned into a unit test.

use std::sync::atomic::{AtomicUsize, Ordering};

use ebpf_dsl::asm::{self, Diagnostic};
use ebpf_dsl::decode::{decode_bytes, insns_from_bytes};
use ebpf_dsl::disasm::{disassemble, disassemble_bytes};
use ebpf_dsl::verifier::{verify, VerifyInput};
use ebpf_dsl::{Insn, ProgramType};

/// SplitMix64: a tiny, good-enough PRNG with a 64-bit state (no dependency needed).
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    /// A number below `n` (`n > 0`).
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }

    fn pick<'a, T>(&mut self, xs: &'a [T]) -> &'a T {
        &xs[self.below(xs.len())]
    }

    fn chance(&mut self, one_in: usize) -> bool {
        self.below(one_in) == 0
    }
}

fn env_num(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|v| v.trim().parse().ok())
        .unwrap_or(default)
}

/// Iterations per target and the base seed.
fn budget() -> (u64, u64) {
    (
        env_num("FUZZ_ITERS", 300),
        env_num("FUZZ_SEED", 0x5eed_0feb_9f00),
    )
}

/// Runs `run` on `generate`d input for each iteration, each with its own RNG; on a panic,
/// names the target, the seed, the iteration and the input.
fn fuzz<T: std::fmt::Debug>(
    target: &str,
    mut generate: impl FnMut(&mut Rng) -> T,
    run: impl Fn(&T),
) {
    let (iters, seed) = budget();
    // The slowest iteration, reported (not asserted: speed belongs in benchmarks) so that a
    // long run by hand shows any input that takes unusually long.
    let mut slowest = (std::time::Duration::ZERO, 0);
    // FUZZ_FROM=N replays from iteration N (with FUZZ_ITERS=1, just that one).
    let from = env_num("FUZZ_FROM", 0);
    for i in from..from.saturating_add(iters) {
        let mut rng = Rng(seed ^ i.wrapping_mul(0x2545_f491_4f6c_dd1d) ^ fxhash(target));
        let input = generate(&mut rng);
        let t = std::time::Instant::now();
        let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| run(&input)));
        slowest = slowest.max((t.elapsed(), i));
        if result.is_err() {
            panic!(
                "fuzz target `{target}` panicked at iteration {i} (FUZZ_SEED={seed}); input:\n{input:?}"
            );
        }
    }
    eprintln!(
        "{target}: {iters} iterations, slowest {:?} (iteration {})",
        slowest.0, slowest.1
    );
}

fn fxhash(s: &str) -> u64 {
    s.bytes().fold(0xcbf2_9ce4_8422_2325, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x100_0000_01b3)
    })
}

/// Valid statements: the golden vectors' asm column and the programs with labels.
fn seed_lines() -> Vec<String> {
    let mut v: Vec<String> = include_str!("golden/llvm19.txt")
        .lines()
        .filter(|l| !l.starts_with('#') && !l.is_empty())
        .filter_map(|l| l.split('\t').next().map(str::to_string))
        .collect();
    v.extend(
        include_str!("golden/llvm19_programs.txt")
            .lines()
            .filter(|l| !l.starts_with('#') && !l.is_empty())
            .filter_map(|l| l.split('\t').next())
            .flat_map(|p| p.split("; ").map(str::to_string)),
    );
    v.extend(
        [
            "r0 = XDP_PASS",
            "r1 = xsks ll",
            "r1 = map_value(counters, 8) ll",
            "call bpf_redirect_map",
            "if r2 != (ETH_P_IP_BE) goto out",
            "r1 = 1 << 4 | 3",
            "r0 = *(u8 *)skb[23]",
            "out: exit",
            "lbl:",
            "parse_eth!(r2, r3, drop)",
            "/* multi\nline */",
            "# comment",
            "r1 = { VALUE }",
            ".text",
            ".8byte 0",
            "1: goto 1b",
            "goto 1f",
            "r1 = 0xffffffffffffff00",
            "r1 = 5ULL",
        ]
        .map(String::from),
    );
    v
}

/// Fragments a mutation inserts: tokens of the grammar and hostile characters.
const FRAGMENTS: &[&str] = &[
    "r",
    "w",
    "r10",
    "r11",
    "w9",
    "=",
    "+=",
    "s>>=",
    "*",
    "(",
    ")",
    "(u64 *)",
    "(s8)",
    "[",
    "]",
    "goto",
    "gotol",
    "if",
    "call",
    "exit",
    "ll",
    "lock",
    "0x",
    "-",
    "+",
    "0",
    "-1",
    "0xffffffffffffffff",
    "99999999999999999999999",
    "'",
    "'\\",
    "\"",
    "{",
    "}",
    "/*",
    "*/",
    "//",
    "#",
    ";",
    "\n",
    ":",
    "!",
    "!(",
    "é",
    "ü",
    "\u{1F600}",
    "\0",
    "\t",
    "\u{200b}",
    "1b",
    "1f",
    ".byte",
    ".8byte",
    ".quad",
    "ULL",
    "LL",
    "xsks",
    "map_value(",
    "skb[",
    "be16",
    "bswap64",
    "atomic_fetch_add(",
    "xchg_64(",
    "cmpxchg_64(",
    "addr_space_cast(",
    "may_goto",
    "callx",
    "ld_pseudo",
    "_",
    "((((((((((((((((",
    "~~~~~~~~",
    "--------",
];

/// A mutated program: a few seed lines, then random edits on character boundaries.
fn mutated_text(rng: &mut Rng, seeds: &[String], straight: &[String]) -> String {
    let n = 1 + rng.below(12);
    let mut text = String::new();
    // Half of the programs are straight-line code that ends in `exit` and mostly stays valid
    // (so the checks, the verifier and the round trips run); the rest mixes every seed.
    let valid_shape = rng.chance(2);
    let pool = if valid_shape { straight } else { seeds };
    for _ in 0..n {
        text.push_str(rng.pick::<String>(pool));
        text.push(if rng.chance(4) { ';' } else { '\n' });
    }
    if valid_shape {
        text.push_str("r0 = 0\nexit\n");
    }
    let edits = if valid_shape && rng.chance(2) {
        0
    } else {
        rng.below(6)
    };
    for _ in 0..edits {
        let chars: Vec<(usize, char)> = text.char_indices().collect();
        let at = if chars.is_empty() {
            0
        } else {
            chars[rng.below(chars.len())].0
        };
        match rng.below(5) {
            0 => text.insert_str(at, rng.pick::<&str>(FRAGMENTS)),
            1 => {
                // Delete a run of characters.
                let end = text[at..]
                    .char_indices()
                    .nth(1 + rng.below(8))
                    .map_or(text.len(), |(p, _)| at + p);
                text.replace_range(at..end, "");
            }
            2 => {
                // A random printable or control character.
                let c = char::from_u32(rng.below(0x3000) as u32).unwrap_or('?');
                text.insert(at, c);
            }
            3 => text.truncate(at),
            _ => {
                let extra = rng.pick(seeds).clone();
                text.insert_str(at, &extra);
            }
        }
    }
    text
}

/// The least share of iterations that must disassemble (and go through the round trip).
const PCT_DISASM: usize = 25;
/// The least share of random programs the verifier must accept (so it walks whole paths).
const PCT_ACCEPT: usize = 8;

/// Fails when fewer than `percent`% of the iterations reached the interesting part of a
/// target (a harness that never gets past the first error proves nothing).
fn reaches(what: &str, count: usize, percent: usize) {
    let (iters, _) = budget();
    let iters = iters as usize;
    eprintln!("{what}: {count} of {iters}");
    assert!(
        iters < 100 || count * 100 >= iters * percent,
        "{what}: {count} of {iters} iterations, expected at least {percent}%"
    );
}

/// Everything a user of the assembler can do with text and its errors; true when the text
/// assembled (with the checks).
fn exercise_assembler(src: &str) -> bool {
    let checked = asm::assemble(src);
    let unchecked = asm::assemble_unchecked(src);
    let _ = asm::parse(src);
    if let Err(diags) = &checked {
        exercise_diagnostics(diags, src);
    }
    if let Err(diags) = &unchecked {
        exercise_diagnostics(diags, src);
    }
    if let Ok(a) = &checked {
        // A program that passes the checks also assembles unchecked, to the same slots.
        let u = unchecked.as_ref().expect("checked ok but unchecked failed");
        assert_eq!(a.insns, u.insns, "checked and unchecked differ for {src:?}");
        let _ = verify(&VerifyInput::new(&a.insns, ProgramType::Xdp));
        round_trip(&a.insns);
    }
    let e = ebpf_dsl::assemble(src);
    if let Err(e) = e {
        let _ = e.to_string();
        let _ = e.render("fuzz.s");
    }
    checked.is_ok()
}

fn exercise_diagnostics(diags: &[Diagnostic], src: &str) {
    let mut d = diags.to_vec();
    asm::add_suggestions(src, &mut d);
    let all = asm::render_all(&d, src, "fuzz.s", 5);
    assert!(!all.is_empty());
    for x in &d {
        let _ = x.render(src, "fuzz.s");
        let _ = x.line_col(src);
        let _ = asm::refine(src, x.clone());
        let _ = x.to_string();
    }
}

/// disasm -> asm gives back the same slots, for every program that decodes.
fn round_trip(insns: &[Insn]) {
    let Ok(text) = disassemble(insns) else {
        return;
    };
    match asm::assemble_unchecked(&text) {
        Ok(back) => assert_eq!(
            back.insns, insns,
            "disassembly does not reassemble to the same slots:\n{text}"
        ),
        Err(e) => panic!(
            "disassembly does not reassemble: {:?}\n{text}",
            e.iter()
                .map(|d| d.render(&text, "disasm"))
                .collect::<Vec<_>>()
        ),
    }
}

#[test]
fn assembler_on_mutated_text() {
    let seeds = seed_lines();
    // Statements that pass the structural checks alone: no jumps, calls, labels or divisions,
    // shifts or stores through registers that might not be set up.
    let straight: Vec<String> = seeds
        .iter()
        .filter(|l| {
            let ok = asm::assemble(&format!("{l}\nexit"));
            ok.is_ok() && !l.contains("goto") && !l.contains("call") && !l.contains(':')
        })
        .cloned()
        .collect();
    assert!(straight.len() > 500, "{}", straight.len());
    let ok = AtomicUsize::new(0);
    fuzz(
        "assembler_mutated",
        |rng| mutated_text(rng, &seeds, &straight),
        |src| {
            if exercise_assembler(src) {
                ok.fetch_add(1, Ordering::Relaxed);
            }
        },
    );
    // The mutations keep some programs valid, so the round trips after assembly run too.
    reaches(
        "assembler_mutated: programs that assemble",
        ok.into_inner(),
        20,
    );
}

#[test]
fn assembler_on_random_text() {
    fuzz(
        "assembler_random",
        |rng| {
            let len = rng.below(200);
            (0..len)
                .map(|_| match rng.below(4) {
                    0 => char::from_u32(rng.below(0x80) as u32).unwrap_or(' '),
                    1 => *rng.pick(&['r', 'w', '=', ' ', '\n', '0', '1', '(', ')', '*', '+', ':']),
                    2 => char::from_u32(rng.below(0x11_0000) as u32).unwrap_or('é'),
                    _ => *rng.pick(&['g', 'o', 't', 'e', 'x', 'i', 'l', ';', '{', '}', '\'']),
                })
                .collect::<String>()
        },
        |src| {
            exercise_assembler(src);
        },
    );
}

/// A slot with a random opcode from those that exist, so that many slots decode.
fn random_slot(rng: &mut Rng, opcodes: &[u8]) -> Insn {
    let code = if rng.chance(10) {
        rng.below(256) as u8
    } else {
        *rng.pick(opcodes)
    };
    let regs = if rng.chance(10) {
        rng.below(256) as u8
    } else {
        (rng.below(11) | (rng.below(11) << 4)) as u8
    };
    let off = match rng.below(4) {
        0 => 0,
        1 => rng.below(16) as i16 - 8,
        2 => *rng.pick(&[1i16, 8, 16, 32, 64, 256]),
        _ => rng.next() as i16,
    };
    let imm = match rng.below(4) {
        0 => 0,
        1 => rng.below(64) as i32 - 32,
        2 => *rng.pick(&[1i32, 8, 16, 32, 64, 0x7fff_ffff, -1]),
        _ => rng.next() as i32,
    };
    Insn::new(code, regs & 0xf, regs >> 4, off, imm)
}

/// LLVM's encoding of each golden vector (8 or 16 bytes).
fn golden_encodings() -> Vec<Vec<u8>> {
    include_str!("golden/llvm19.txt")
        .lines()
        .filter(|l| !l.starts_with('#') && !l.is_empty())
        .filter_map(|l| l.split('\t').nth(1))
        .map(|h| {
            (0..h.len())
                .step_by(2)
                .filter_map(|i| u8::from_str_radix(h.get(i..i + 2)?, 16).ok())
                .collect()
        })
        .collect()
}

/// The opcodes of the golden vectors.
fn golden_opcodes() -> Vec<u8> {
    let mut v: Vec<u8> = include_str!("golden/llvm19.txt")
        .lines()
        .filter(|l| !l.starts_with('#') && !l.is_empty())
        .filter_map(|l| l.split('\t').nth(1))
        .filter_map(|h| u8::from_str_radix(h.get(0..2)?, 16).ok())
        .collect();
    v.sort_unstable();
    v.dedup();
    v
}

#[test]
fn decoder_and_disassembler_on_random_bytes() {
    let opcodes = golden_opcodes();
    let encodings = golden_encodings();
    let round_trips = AtomicUsize::new(0);
    fuzz(
        "decode_random_bytes",
        |rng| {
            if rng.chance(2) {
                // Valid instructions (LLVM's encodings), sometimes with one byte changed.
                let mut b: Vec<u8> = (0..1 + rng.below(12))
                    .flat_map(|_| rng.pick(&encodings).clone())
                    .collect();
                if rng.chance(3) {
                    let i = rng.below(b.len());
                    b[i] = rng.next() as u8;
                }
                b
            } else if rng.chance(3) {
                (0..rng.below(64)).map(|_| rng.next() as u8).collect()
            } else {
                let insns: Vec<Insn> = (0..1 + rng.below(24))
                    .map(|_| random_slot(rng, &opcodes))
                    .collect();
                let mut b = ebpf_dsl::insn::to_bytes(&insns);
                if rng.chance(8) {
                    b.truncate(rng.below(b.len() + 1));
                }
                b
            }
        },
        |bytes| {
            let bytes = bytes.as_slice();
            if let Ok(decoded) = decode_bytes(bytes) {
                // decode -> encode gives back the same slots.
                let again = ebpf_dsl::insn::to_bytes(&ebpf_dsl::decode::encode(&decoded));
                assert_eq!(again, bytes, "decode/encode round trip of {decoded:?}");
            }
            if let Ok(text) = disassemble_bytes(bytes) {
                round_trips.fetch_add(1, Ordering::Relaxed);
                let back = asm::assemble_unchecked(&text).unwrap_or_else(|e| {
                    panic!(
                        "disassembly of {bytes:02x?} does not reassemble: {}\n{text}",
                        e.iter()
                            .map(|d| d.render(&text, "disasm"))
                            .collect::<Vec<_>>()
                            .join("\n")
                    )
                });
                assert_eq!(back.to_bytes(), bytes, "round trip of\n{text}");
            }
            if let Ok(insns) = insns_from_bytes(bytes) {
                let _ = verify(&VerifyInput::new(&insns, ProgramType::Xdp));
            }
        },
    );
    reaches(
        "decode_random_bytes: disassembled and reassembled",
        round_trips.into_inner(),
        PCT_DISASM,
    );
}

/// A program the verifier can walk: r0..r5 set, then ALU instructions and forward
/// conditional jumps on those registers, stack stores and loads, `r0 = 2; exit`.
fn structured_program(rng: &mut Rng, alu: &[Insn], conds: &[Insn]) -> Vec<Insn> {
    let mut body = Vec::new();
    for r in 0..=5 {
        body.push(Insn::new(0xb7, r, 0, 0, rng.below(64) as i32));
    }
    let n = 1 + rng.below(30);
    let mut stored = Vec::new();
    for i in 0..n {
        let left = (n - i) as i16;
        let mut insn = match rng.below(10) {
            0..=5 => *rng.pick(alu),
            6 | 7 => {
                let mut j = *rng.pick(conds);
                j.off = rng.below(left as usize + 1) as i16;
                j
            }
            8 => {
                let slot = -8 * (1 + rng.below(4) as i16);
                stored.push(slot);
                Insn::new(0x7b, 10, rng.below(6) as u8, slot, 0)
            }
            _ => match stored.last() {
                Some(&slot) => Insn::new(0x79, rng.below(6) as u8, 10, slot, 0),
                None => *rng.pick(alu),
            },
        };
        if insn.dst() != 10 && insn.src() != 10 {
            let (d, s) = (rng.below(6) as u8, rng.below(6) as u8);
            let src = if insn.code & 0x08 != 0 { s } else { insn.src() };
            insn = Insn::new(insn.code, d, src, insn.off, insn.imm);
        }
        body.push(insn);
    }
    body.push(Insn::new(0xb7, 0, 0, 0, 2));
    body.push(Insn::new(0x95, 0, 0, 0, 0));
    body
}

#[test]
fn verifier_on_random_instruction_streams() {
    let opcodes = golden_opcodes();
    let types = [
        ProgramType::Xdp,
        ProgramType::SocketFilter,
        ProgramType::SchedCls,
    ];
    let one_slot: Vec<Insn> = golden_encodings()
        .iter()
        .filter(|b| b.len() == 8)
        .filter_map(|b| insns_from_bytes(b).ok())
        .map(|v| v[0])
        .collect();
    // ALU instructions (no address-space casts, which need an arena) and conditional jumps.
    let alu: Vec<Insn> = one_slot
        .iter()
        .copied()
        .filter(|i| matches!(i.code & 7, 4 | 7) && i.off == 0)
        .collect();
    let conds: Vec<Insn> = one_slot
        .iter()
        .copied()
        .filter(|i| {
            matches!(i.code & 7, 5 | 6) && !matches!(i.code & 0xf0, 0x00 | 0x80 | 0x90 | 0xe0)
        })
        .collect();
    assert!(
        alu.len() > 50 && conds.len() > 20,
        "{} {}",
        alu.len(),
        conds.len()
    );
    let accepted = AtomicUsize::new(0);
    fuzz(
        "verifier_random",
        |rng| {
            if rng.chance(2) {
                return (structured_program(rng, &alu, &conds), *rng.pick(&types));
            }
            let n = 1 + rng.below(40);
            let mut insns: Vec<Insn> = (0..n).map(|_| random_slot(rng, &opcodes)).collect();
            // Mostly well-formed endings and short jumps, so that the verifier gets past the
            // structural checks and walks paths.
            for insn in insns.iter_mut() {
                if insn.code & 0x07 == 0x05 && rng.chance(2) {
                    insn.off = rng.below(2 * n) as i16 - n as i16;
                }
            }
            if rng.chance(2) {
                insns.insert(0, Insn::new(0xb7, 0, 0, 0, 2)); // r0 = 2
                insns.push(Insn::new(0x95, 0, 0, 0, 0)); // exit
            }
            (insns, *rng.pick(&types))
        },
        |(insns, prog_type)| {
            if verify(&VerifyInput::new(insns, *prog_type)).is_ok() {
                accepted.fetch_add(1, Ordering::Relaxed);
            }
        },
    );
    reaches(
        "verifier_random: accepted programs",
        accepted.into_inner(),
        PCT_ACCEPT,
    );
}
