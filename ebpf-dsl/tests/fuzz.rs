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
//! A failing case prints its seed and iteration and the input, so it can be replayed and
//! turned into a unit test.

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
        env_num("FUZZ_SEED", 0x5eed_0f_eb9f),
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
    for i in 0..iters {
        let mut rng = Rng(seed ^ i.wrapping_mul(0x2545_f491_4f6c_dd1d) ^ fxhash(target));
        let input = generate(&mut rng);
        let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| run(&input)));
        if result.is_err() {
            panic!(
                "fuzz target `{target}` panicked at iteration {i} (FUZZ_SEED={seed}); input:\n{input:?}"
            );
        }
    }
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
fn mutated_text(rng: &mut Rng, seeds: &[String]) -> String {
    let n = 1 + rng.below(12);
    let mut text = String::new();
    for _ in 0..n {
        text.push_str(rng.pick::<String>(seeds));
        text.push(if rng.chance(4) { ';' } else { '\n' });
    }
    for _ in 0..rng.below(6) {
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

/// Everything a user of the assembler can do with text and its errors.
fn exercise_assembler(src: &str) {
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
    fuzz(
        "assembler_mutated",
        |rng| mutated_text(rng, &seeds),
        |src| exercise_assembler(src),
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
        |src| exercise_assembler(src),
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
    fuzz(
        "decode_random_bytes",
        |rng| {
            if rng.chance(3) {
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
            let _ = decode_bytes(bytes);
            if let Ok(text) = disassemble_bytes(bytes) {
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
}

#[test]
fn verifier_on_random_instruction_streams() {
    let opcodes = golden_opcodes();
    let types = [
        ProgramType::Xdp,
        ProgramType::SocketFilter,
        ProgramType::SchedCls,
    ];
    fuzz(
        "verifier_random",
        |rng| {
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
            let _ = verify(&VerifyInput::new(insns, *prog_type));
        },
    );
}
