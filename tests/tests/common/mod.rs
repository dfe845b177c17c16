//! Pieces shared by the verifier's kernel-differential tests (`verifier_differential`,
//! `verifier_shapes`, `verifier_selftests`, `verifier_kernel_rules`, the link and v4 fuzzers):
//! the seeded generator, map specs in one line, the running kernel's version and verdict, and
//! the fuzzers' run against the kernel.
#![allow(dead_code)] // each test file uses a part

use std::borrow::Cow;

use ebpf_dsl::verifier::KernelVersion;
use ebpf_dsl::{MapSpec, MapType};

/// SplitMix64: a tiny seeded PRNG (no dependency), so a seed reproduces a run.
pub struct Rng(pub u64);

impl Rng {
    /// The next 64 random bits.
    pub fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }
    /// A number below `n` (0 when `n` is 0).
    pub fn below(&mut self, n: u64) -> u64 {
        self.next() % n.max(1)
    }
    /// A number in `lo..=hi`.
    pub fn range(&mut self, lo: i64, hi: i64) -> i64 {
        lo + self.below((hi - lo + 1) as u64) as i64
    }
    /// True with `percent` % probability.
    pub fn chance(&mut self, percent: u64) -> bool {
        self.below(100) < percent
    }
    /// One of `xs`.
    pub fn pick<T: Copy>(&mut self, xs: &[T]) -> T {
        xs[self.below(xs.len() as u64) as usize]
    }
}

/// A map spec with no flags.
pub fn map_spec(
    name: &'static str,
    map_type: MapType,
    key_size: u32,
    value_size: u32,
    max_entries: u32,
) -> MapSpec {
    MapSpec {
        name: Cow::Borrowed(name),
        map_type,
        key_size,
        value_size,
        max_entries,
        flags: 0,
        btf: None,
        inner: None,
    }
}

/// The running kernel's version: the ground truth of these tests is that kernel, so the
/// static verifier may assume its features. Debian's ABI name (`6.1.0-57-amd64`) is read as
/// the release `uname -v` names (`KernelVersion::running`).
pub fn running_kernel() -> KernelVersion {
    KernelVersion::running().unwrap_or_default()
}

/// The helpers the running kernel withholds from programs of `pt` though its release has
/// them (a kernel built or patched without them; probed once per type and process:
/// `xsk_runtime::features::unavailable_helpers`). Given to the static verifier with
/// [`running_kernel`], it judges a program as this kernel does. Root only (privileged tests).
pub fn running_unavailable(pt: ebpf_dsl::ProgramType) -> &'static [u32] {
    xsk_runtime::features::unavailable_helpers(pt)
        .unwrap_or_else(|e| panic!("probing the running kernel's helpers for {pt}: {e}"))
}

/// The running kernel's verdict on `insns` (`BPF_PROG_LOAD` as `name`, with `maps` created
/// from `specs`): `Ok` when it loads, `Err(log)` when its verifier refuses it. Any other
/// failure is a broken test setup and panics, naming the program text `src`.
pub fn kernel_verdict(
    name: &'static str,
    prog_type: ebpf_dsl::ProgramType,
    a: &ebpf_dsl::asm::Assembled,
    specs: &[MapSpec],
    maps: &[&xsk_runtime::maps::Map],
    src: &str,
) -> Result<(), String> {
    kernel_verdict_with_flags(name, prog_type, a, specs, maps, src, 0)
}

/// [`kernel_verdict`] of the program loaded with `prog_flags` (`BPF_F_STRICT_ALIGNMENT`, ...).
pub fn kernel_verdict_with_flags(
    name: &'static str,
    prog_type: ebpf_dsl::ProgramType,
    a: &ebpf_dsl::asm::Assembled,
    specs: &[MapSpec],
    maps: &[&xsk_runtime::maps::Map],
    src: &str,
    prog_flags: u32,
) -> Result<(), String> {
    let opts = xsk_runtime::program::LoadOptions {
        prog_flags,
        ..Default::default()
    };
    kernel_verdict_with_options(name, prog_type, a, specs, maps, src, &opts)
}

/// [`kernel_verdict`] of an XDP program whose `.global_func` functions are declared global in
/// its BTF (as the static verifier takes them).
fn kernel_verdict_with_globals(
    name: &'static str,
    a: &ebpf_dsl::asm::Assembled,
    specs: &[MapSpec],
    maps: &[&xsk_runtime::maps::Map],
    src: &str,
) -> Result<(), String> {
    let opts = xsk_runtime::program::LoadOptions {
        globals: a.globals.clone(),
        ..Default::default()
    };
    kernel_verdict_with_options(name, ebpf_dsl::ProgramType::Xdp, a, specs, maps, src, &opts)
}

/// The running kernel's verdict on the assembled program loaded with `opts`: `Err(log)` when
/// its verifier refuses it; any other load failure panics (the test's own mistake).
fn kernel_verdict_with_options(
    name: &'static str,
    prog_type: ebpf_dsl::ProgramType,
    a: &ebpf_dsl::asm::Assembled,
    specs: &[MapSpec],
    maps: &[&xsk_runtime::maps::Map],
    src: &str,
    opts: &xsk_runtime::program::LoadOptions,
) -> Result<(), String> {
    let spec = ebpf_dsl::ProgramSpec {
        name: Cow::Borrowed(name),
        prog_type,
        license: Cow::Borrowed("GPL"),
        insns: Cow::Owned(a.insns.clone()),
        relocations: Cow::Owned(a.relocations.clone()),
        maps: Cow::Owned(specs.to_vec()),
        lines: Default::default(),
    };
    verdict(
        xsk_runtime::program::Program::load_with(&spec, maps, opts),
        src,
    )
}

/// A load's result as a verifier verdict: `Err(log)` when the kernel's verifier refused the
/// program; any other failure panics with the program's text (the test's own mistake).
pub fn verdict<T>(load: xsk_runtime::Result<T>, src: &str) -> Result<(), String> {
    match load {
        Ok(_) => Ok(()),
        Err(xsk_runtime::Error::Verifier { log, .. }) => Err(log),
        Err(e) => panic!("BPF_PROG_LOAD failed for a reason other than the verifier: {e}\n{src}"),
    }
}

/// One row of a shapes test (a shape on a program type): how many programs were generated and
/// how the two verdicts compared; the disagreeing programs kept with both messages.
#[derive(Default)]
pub struct Row {
    /// Programs generated.
    pub programs: usize,
    /// Both accepted.
    pub acc_acc: usize,
    /// Both rejected.
    pub rej_rej: usize,
    /// Accepted by us, rejected by the kernel (each printed with its program).
    pub false_accept: Vec<String>,
    /// Rejected by us, accepted by the kernel (each printed with its program).
    pub false_reject: Vec<String>,
}

impl Row {
    /// Programs the kernel accepts (both accepted, or only the kernel).
    pub fn kernel_accepts(&self) -> usize {
        self.acc_acc + self.false_reject.len()
    }
}

/// Prints the shapes tests' table (one line per shape and program type, the shape column
/// `width` wide) and the totals line; returns the false accepts, false rejects and programs the
/// kernel accepts, summed.
pub fn print_rows<'a>(
    width: usize,
    rows: impl IntoIterator<Item = (String, &'a str, &'a Row)>,
) -> (usize, usize, usize) {
    println!(
        "{:<width$} {:<14} {:>8} {:>13} {:>13} {:>12} {:>12}",
        "shape", "type", "programs", "accept/accept", "reject/reject", "false acc.", "false rej."
    );
    let (mut fa, mut fr, mut kernel_accepts) = (0, 0, 0);
    for (shape, ty, r) in rows {
        println!(
            "{shape:<width$} {ty:<14} {:>8} {:>13} {:>13} {:>12} {:>12}",
            r.programs,
            r.acc_acc,
            r.rej_rej,
            r.false_accept.len(),
            r.false_reject.len()
        );
        fa += r.false_accept.len();
        fr += r.false_reject.len();
        kernel_accepts += r.kernel_accepts();
    }
    println!(
        "false accepts: {fa}; false rejects: {fr} of the {kernel_accepts} programs the kernel accepts ({:.1}%)",
        fr as f64 * 100.0 / kernel_accepts.max(1) as f64
    );
    (fa, fr, kernel_accepts)
}

/// The number in the environment variable `name`, if it holds one.
pub fn env_num(name: &str) -> Option<u64> {
    std::env::var(name).ok().and_then(|v| v.parse().ok())
}

/// Prints the disagreements of `rows`: every false accept (at most 10 a row) and `show` false
/// rejects a row.
pub fn print_disagreements<'a>(rows: impl IntoIterator<Item = &'a Row>, show: usize) {
    for r in rows {
        for c in r.false_accept.iter().take(10) {
            println!("FALSE ACCEPT\n{c}");
        }
        for c in r.false_reject.iter().take(show) {
            println!("false reject\n{c}");
        }
    }
}

/// Prints how often each cause of a false reject in `rows` came up: our message (its `ours: `
/// line) with every digit made `#`, so one rule with different numbers counts once.
#[allow(dead_code)]
pub fn print_false_reject_causes<'a>(rows: impl IntoIterator<Item = &'a Row>) {
    let mut causes: std::collections::BTreeMap<String, usize> = Default::default();
    for r in rows {
        for c in &r.false_reject {
            if let Some(l) = c.lines().find(|l| l.starts_with("ours: ")) {
                let key: String = l
                    .chars()
                    .map(|c| if c.is_ascii_digit() { '#' } else { c })
                    .take(160)
                    .collect();
                *causes.entry(key).or_default() += 1;
            }
        }
    }
    for (c, n) in &causes {
        println!("false reject x{n}: {c}");
    }
}

/// The verdict of a shapes test: the generator is healthy only if the kernel accepts most of
/// what it writes (`accepted` of `total` programs judged for that), no false accept, and false
/// rejects at most 1% of the `kernel_accepts` programs the kernel accepts.
pub fn assert_shapes_agree(
    fa: usize,
    fr: usize,
    kernel_accepts: usize,
    accepted: usize,
    total: usize,
) {
    assert!(
        accepted * 2 > total,
        "the kernel accepts only {accepted} of {total} generated programs: the generator is broken"
    );
    assert_eq!(
        fa, 0,
        "the static verifier accepted {fa} programs the kernel rejects"
    );
    assert!(
        fr * 100 <= kernel_accepts,
        "false rejects rose to {fr} of {kernel_accepts} kernel-accepted programs (ceiling 1%)"
    );
}

/// The text of one disagreement of a shapes test: `head` (the program's name and source), our
/// first message if we refused it, and the kernel's last log line (not the `processed` one) if
/// it refused it.
pub fn case_text(mut head: String, ours: Option<String>, kernel_log: Option<&str>) -> String {
    use std::fmt::Write as _;
    if let Some(e) = ours {
        let _ = writeln!(head, "ours: {e}");
    }
    if let Some(log) = kernel_log {
        let last = log
            .lines()
            .rev()
            .find(|l| !l.is_empty() && !l.starts_with("processed "))
            .unwrap_or("");
        let _ = writeln!(head, "kernel: {last}");
    }
    head
}

/// A small differential fuzz run against the running kernel (`verifier_link_fuzz`,
/// `verifier_v4_fuzz`): `count` XDP programs from `program`, each naming the map `m` (array,
/// 4-byte key, 16-byte value, 1 entry), verified by both sides (`.global_func` functions
/// declared global on both). Prints the agreement line
/// under `label` and fails on any false accept, listing those programs with the kernel's
/// reason. `FUZZ_SHOW_REJECTS=n` prints the first `n` false rejects with our message;
/// `FUZZ_REASONS=1` tallies the kernel's reasons for the programs it refuses;
/// `FUZZ_SHOW_KERNEL=text` prints three programs it refuses with `text` in its reason, with its log.
pub fn fuzz_against_kernel(
    label: &str,
    name: &'static str,
    seed: u64,
    count: usize,
    program: impl FnMut() -> String,
) {
    let specs = vec![map_spec("m", MapType::Array, 4, 16, 1)];
    fuzz_against_kernel_with_maps(label, name, seed, count, &specs, program);
}

/// [`fuzz_against_kernel`] with the maps `specs` (each created once) in place of the one array
/// map `m`.
pub fn fuzz_against_kernel_with_maps(
    label: &str,
    name: &'static str,
    seed: u64,
    count: usize,
    specs: &[MapSpec],
    mut program: impl FnMut() -> String,
) {
    use ebpf_dsl::verifier::{verify, VerifyInput};
    let maps: Vec<xsk_runtime::maps::Map> = specs
        .iter()
        .map(|s| {
            xsk_runtime::maps::Map::create(s)
                .unwrap_or_else(|e| panic!("creating map {}: {e}", s.name))
        })
        .collect();
    let map_refs: Vec<&xsk_runtime::maps::Map> = maps.iter().collect();
    let (mut agree, mut false_rejects, mut accepted) = (0, 0, 0);
    let show_rejects = env_num("FUZZ_SHOW_REJECTS").unwrap_or(0) as usize;
    let tally_reasons = env_num("FUZZ_REASONS").is_some_and(|n| n != 0);
    let mut reasons = std::collections::HashMap::new();
    let (show_kernel, mut shown) = (std::env::var("FUZZ_SHOW_KERNEL").ok(), 0);
    let mut false_accepts = Vec::new();
    for i in 0..count {
        let src = program();
        let a = ebpf_dsl::asm::assemble_unchecked(&src)
            .unwrap_or_else(|d| panic!("generated program does not assemble: {d:?}\n{src}"));
        let ours = verify(
            &VerifyInput::new(&a.insns, ebpf_dsl::ProgramType::Xdp)
                .with_maps(&a.relocations, specs)
                .with_globals(&a.globals)
                .with_kernel(running_kernel())
                .with_unavailable_helpers(running_unavailable(ebpf_dsl::ProgramType::Xdp)),
        );
        let kernel = kernel_verdict_with_globals(name, &a, specs, &map_refs, &src);
        match (&ours, &kernel) {
            (Ok(_), Err(log)) => {
                let why = log.lines().rev().nth(1).unwrap_or("").to_string();
                false_accepts.push(format!("--- program #{i}\n{src}kernel: {why}"));
            }
            (Err(e), Ok(())) => {
                false_rejects += 1;
                if false_rejects <= show_rejects {
                    println!(
                        "false reject #{i}\n{src}ours: {}",
                        e.first().map(ToString::to_string).unwrap_or_default()
                    );
                }
            }
            _ => {
                agree += 1;
                accepted += usize::from(kernel.is_ok());
            }
        }
        if let (true, Err(log)) = (tally_reasons, &kernel) {
            let why = log.lines().rev().nth(1).unwrap_or("");
            // The reason without its register numbers and offsets, so alike ones count together.
            let key: String = why
                .chars()
                .map(|c| if c.is_ascii_digit() { '#' } else { c })
                .collect();
            *reasons.entry(key).or_insert(0usize) += 1;
        }
        if let (Some(text), Err(log)) = (&show_kernel, &kernel) {
            if shown < 3
                && log
                    .lines()
                    .rev()
                    .nth(1)
                    .unwrap_or("")
                    .contains(text.as_str())
            {
                shown += 1;
                println!("kernel refuses #{i}\n{src}{log}");
            }
        }
    }
    let mut reasons: Vec<_> = reasons.into_iter().collect();
    reasons.sort_by_key(|r| std::cmp::Reverse(r.1));
    for (why, n) in reasons.iter().take(25) {
        println!("{n:>6}  {why}");
    }
    println!(
        "{label} (seed {seed:#x}): {count} programs, {agree} agree ({accepted} accepted by both), {false_rejects} false rejects, {} false accepts",
        false_accepts.len()
    );
    assert!(
        false_accepts.is_empty(),
        "the static verifier accepted programs the kernel rejects:\n{}",
        false_accepts.join("\n")
    );
}
