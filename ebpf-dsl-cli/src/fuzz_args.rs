//! Seeded fuzzing of the command-line parser, in-process: random argument vectors built from
//! the CLI's own words and hostile strings go through [`crate::parse_args`] (which reads no
//! file and runs nothing); it must return a command or a usage error, never panic.
//!
//! `FUZZ_ITERS` (default 2000) and `FUZZ_SEED` as in `ebpf-dsl/tests/fuzz.rs`:
//!
//! ```text
//! FUZZ_ITERS=1000000 cargo test --release -p ebpf-dsl-cli --bin ebpf-dsl fuzz -- --nocapture
//! ```

use crate::map_arg::MapArgs;
use crate::values::parse_hex;
use crate::{parse_args, CliError, Command};

/// SplitMix64.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

fn env_num(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|v| v.trim().parse().ok())
        .unwrap_or(default)
}

const WORDS: &[&str] = &[
    "asm",
    "check",
    "disasm",
    "load",
    "run",
    "help",
    "-h",
    "--help",
    "-o",
    "--output",
    "-",
    "--unchecked",
    "--type",
    "-t",
    "xdp",
    "socket_filter",
    "sched_cls",
    "kprobe",
    "nonsense",
    "--map",
    "--license",
    "GPL",
    "--no-verify",
    "--packet",
    "--repeat",
    "--log",
    "--verbose",
    "prog.s",
    "prog.bin",
    "x.s",
    "",
    " ",
    "é",
    "aé0",
    "0x",
    "00112233445566778899aabbccdd",
    "0011:2233-44",
    "zz",
    "1",
    "0",
    "-1",
    "4294967296",
    "100000001",
    "99999999999999999999",
    "xsks:xskmap:4:4:64",
    "xsks:xskmap:4:4",
    "a:array:4:4",
    "a:array:4:4",
    "a=array,4,4,1",
    "abcdefghijklmnopqrst:hash:4:8",
    "abcdefghijklmnopXYZ:hash:4:8",
    ":array:4:4",
    "m:array:x:4",
    "m:nosuch:4:4",
    "m:array:4",
    "m:array:4:4:4:4",
    "é:array:4:4",
    "m:array:4:4:é",
    "::::",
    "=",
    "=,,,",
    "\u{0}",
    "\u{1F600}",
];

/// A random argument: a word, a mutated word, or random characters.
fn arg(rng: &mut Rng) -> String {
    match rng.below(6) {
        0 => (0..rng.below(12))
            .map(|_| char::from_u32(rng.below(0x11_0000) as u32).unwrap_or('é'))
            .collect(),
        1 => {
            let mut w: Vec<char> = WORDS[rng.below(WORDS.len())].chars().collect();
            if !w.is_empty() {
                let at = rng.below(w.len());
                w.insert(at, char::from_u32(rng.below(0x800) as u32).unwrap_or(':'));
            }
            w.into_iter().collect()
        }
        _ => WORDS[rng.below(WORDS.len())].to_string(),
    }
}

#[test]
fn fuzz_argument_parsing_never_panics() {
    let iters = env_num("FUZZ_ITERS", 2000);
    let seed = env_num("FUZZ_SEED", 0xc11);
    let mut accepted = 0;
    for i in 0..iters {
        let mut rng = Rng(seed ^ i.wrapping_mul(0x2545_f491_4f6c_dd1d));
        let n = rng.below(9);
        let args: Vec<String> = (0..n).map(|_| arg(&mut rng)).collect();
        let r = std::panic::catch_unwind(|| parse_args(&args).map(|_| ()));
        match r {
            Ok(Ok(())) => accepted += 1,
            Ok(Err(CliError::Usage(m) | CliError::Io(m))) => assert!(!m.is_empty()),
            Ok(Err(CliError::BrokenPipe)) => panic!("parsing wrote nothing, yet broke a pipe"),
            Err(_) => panic!("parse_args panicked on {args:?} (iteration {i}, FUZZ_SEED={seed})"),
        }
        let s = arg(&mut rng);
        assert!(
            std::panic::catch_unwind(|| parse_hex(&s)).is_ok(),
            "parse_hex panicked on {s:?}"
        );
        assert!(
            std::panic::catch_unwind(|| MapArgs::default().push(&s)).is_ok(),
            "--map panicked on {s:?}"
        );
    }
    // The generator reaches valid command lines too, not only errors.
    assert!(iters < 500 || accepted > 0, "no command line was accepted");
}

fn args(xs: &[&str]) -> Vec<String> {
    xs.iter().map(|s| s.to_string()).collect()
}

#[test]
fn the_inputs_of_issue_10_are_usage_errors() {
    let usage = |xs: &[&str]| match parse_args(&args(xs)) {
        Err(CliError::Usage(m)) => m,
        other => panic!("{xs:?}: expected a usage error, got {other:?}"),
    };
    let m = usage(&["run", "ok.s", "--type", "xdp", "--packet", "aé0"]);
    assert!(m.contains("`é` is not a hex digit"), "{m}");
    let m = usage(&[
        "check",
        "ok.s",
        "--map",
        "a:array:4:4",
        "--map",
        "a:array:4:4",
    ]);
    assert!(m.contains("`a` is given twice"), "{m}");
    let m = usage(&[
        "run",
        "ok.s",
        "--type",
        "xdp",
        "--packet",
        "00",
        "--repeat",
        "4000000000",
    ]);
    assert!(m.contains("above 100000000"), "{m}");
    let m = usage(&[
        "load",
        "ok.s",
        "--map",
        "abcdefghijklmnopqrst:hash:4:8",
        "--map",
        "abcdefghijklmnoXYZ:hash:4:8",
    ]);
    assert!(m.contains("same first 15 characters"), "{m}");
}

#[test]
fn hex_packets() {
    assert_eq!(
        parse_hex("0x00 11:22-33").ok(),
        Some(vec![0, 0x11, 0x22, 0x33])
    );
    assert!(matches!(parse_hex("abc"), Err(CliError::Usage(m)) if m.contains("odd number")));
    assert!(matches!(parse_hex("é0"), Err(CliError::Usage(_))));
}

#[test]
fn long_map_names_are_truncated_with_a_warning_and_renamed_in_the_program() {
    let mut maps = MapArgs::default();
    maps.push("a_very_long_map_name:array:4:8").expect("valid");
    let specs = maps.specs();
    assert_eq!(specs[0].name_str(), "a_very_long_map");
    assert_eq!(maps.warnings().len(), 1);
    assert!(
        maps.warnings()[0].contains("the kernel keeps `a_very_long_map`"),
        "{:?}",
        maps.warnings()
    );
    let mut relocs = vec![ebpf_dsl::Relocation {
        insn_index: 0,
        symbol: "a_very_long_map_name".into(),
        kind: ebpf_dsl::RelocKind::MapFd,
    }];
    maps.rename(&mut relocs);
    assert_eq!(relocs[0].symbol, "a_very_long_map");
    let Ok(Command::Check(_)) = parse_args(&args(&[
        "check",
        "p.s",
        "--map",
        "a_very_long_map_name:array:4:8",
    ])) else {
        panic!("a long map name is accepted");
    };
}
