//! The kernel's own verifier selftests as a differential corpus: our static verifier against
//! the running kernel's verdict.
//!
//! `tools/verifier-selftests/convert.py` fetches Debian's `linux-source-6.12` (or the source
//! package `$VERIFIER_SELFTESTS_SOURCE` names, with its own cache subdirectory), converts every
//! socket/xdp/tc case of `tools/testing/selftests/bpf/progs/verifier_*.c` to a text program and
//! writes `corpus/manifest.tsv` into the cache directory (`target/verifier-selftests/`, or
//! `$VERIFIER_SELFTESTS_CACHE`; nothing of it is committed: the kernel source is GPL). This test
//! reads that corpus, and for every case:
//!
//! - **ours**: `ebpf_dsl::asm::assemble` (parse + structural checks) then
//!   `ebpf_dsl::verifier::verify`, the same as `ebpf-dsl check`;
//! - **kernel**: `BPF_PROG_LOAD` of the same instructions as root, with the case's program
//!   type, `__flag(...)` prog flags and maps. This is the ground truth, not the annotation
//!   (`__success` / `__failure`): the two disagree where the kernel changed since 6.12.
//!
//! It writes `summary.md` and `cases.csv` (case names, verdicts, our message and the kernel's
//! last log line; no kernel code) into `$VERIFIER_SELFTESTS_RESULTS` (default: `results/` in the
//! cache directory; `tools/verifier-selftests/run.sh` points it at the committed results), and
//! FAILS on any false accept (we accept what the kernel rejects).
//!
//! `VERIFIER_SELFTESTS_EXTRA_FLAGS=N` ors `N` into every case's prog flags, on both sides (e.g.
//! 1: every case also with `BPF_F_STRICT_ALIGNMENT`, a differential test of strict alignment;
//! point `VERIFIER_SELFTESTS_RESULTS` elsewhere for such a run).
//!
//! Without the corpus it runs the converter when `CI=true` or `VERIFIER_SELFTESTS_FETCH=1`
//! (about 150 MB download), otherwise it skips with a message. Needs root for the kernel
//! verdicts; skips with a message otherwise unless `CI=true`.

use xsk_testkit::kernel_tests;

mod common;
use common::*;

#[path = "verifier_selftests/report.rs"]
mod report;
use report::report;

use std::borrow::Cow;
use std::path::{Path, PathBuf};
use std::time::Instant;

use ebpf_dsl::asm::{assemble, assemble_unchecked};
use ebpf_dsl::btf::{Btf, BtfType, MapBtf, MaybeBtfFn};
use ebpf_dsl::spec::InnerMap;
use ebpf_dsl::verifier::{needs_vmlinux, verify, VerifyInput};
use ebpf_dsl::{MapSpec, MapType, ProgramSpec, ProgramType};
use xsk_runtime::maps::{Map, UpdateFlags};
use xsk_runtime::program::{relocate, LoadOptions, Program};
use xsk_runtime::Error;

fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("tests/ has a parent")
        .to_path_buf()
}

/// The Debian source package the corpus is converted from (`convert.py`'s default).
const DEFAULT_SOURCE: &str = "linux-source-6.12";

/// `$VERIFIER_SELFTESTS_SOURCE`, or the default source.
fn source_name() -> String {
    std::env::var("VERIFIER_SELFTESTS_SOURCE")
        .ok()
        .filter(|s| !s.is_empty())
        .unwrap_or_else(|| DEFAULT_SOURCE.to_string())
}

/// `$VERIFIER_SELFTESTS_CACHE`, or `target/verifier-selftests/`.
fn cache_base() -> PathBuf {
    match std::env::var_os("VERIFIER_SELFTESTS_CACHE") {
        Some(d) => repo_root().join(d),
        None => repo_root().join("target").join("verifier-selftests"),
    }
}

/// The cache of the default source; another source has its own subdirectory in it (the same
/// layout as `convert.py`'s).
fn cache_dir() -> PathBuf {
    let base = cache_base();
    let source = source_name();
    if source == DEFAULT_SOURCE {
        base
    } else {
        base.join(source)
    }
}

/// "`linux-source-X.Y` (VERSION)" from the corpus's `source.txt` (the package and its .deb).
fn source_description(corpus: &Path) -> String {
    let text = std::fs::read_to_string(corpus.join("source.txt")).unwrap_or_default();
    let mut fields = text.trim().split('\t');
    let package = fields
        .next()
        .filter(|p| !p.is_empty())
        .map(str::to_string)
        .unwrap_or_else(source_name);
    // linux-source-7.2_7.2.13-1_all.deb -> 7.2.13-1
    match fields.next().and_then(|deb| deb.split('_').nth(1)) {
        Some(version) => format!("`{package}` ({version})"),
        None => format!("`{package}`"),
    }
}

/// One line of `manifest.tsv` (the columns `convert.py` writes).
struct Case {
    suite: String,
    name: String,
    prog_type: ProgramType,
    attach_type: u32,
    prog_flags: u32,
    expect: String,
    maps: Vec<MapSpec>,
    file: String,
    llvm_mc: String,
    not_expressible: String,
    /// The kind of mutant (`tools/verifier-selftests/mutants.py`'s `kind` column; empty for a
    /// case of the selftests themselves).
    kind: String,
    /// What the mutant changed (`line N: `old` -> `new``), or empty.
    mutation: String,
}

/// `NAME:TYPE:KEY:VALUE:MAX:FLAGS[:inner=TYPE:KEY:VALUE:MAX:FLAGS]` (the converter's form; the
/// inner part is the shape of the maps a map of maps holds).
fn parse_map(s: &str) -> Result<MapSpec, String> {
    let (outer, inner) = match s.split_once(":inner=") {
        Some((o, i)) => (o, Some(i)),
        None => (s, None),
    };
    // `:spin_lock=OFF`: the value holds a `struct bpf_spin_lock` there.
    let (outer, lock) = match outer.split_once(":spin_lock=") {
        Some((o, l)) => (
            o,
            Some(
                l.parse::<u32>()
                    .map_err(|_| format!("bad spin_lock in `{s}`"))?,
            ),
        ),
        None => (outer, None),
    };
    let f: Vec<&str> = outer.split(':').collect();
    let [name, t, k, v, n, flags] = f.as_slice() else {
        return Err(format!("bad map `{s}`"));
    };
    let num = |x: &str| x.parse::<u32>().map_err(|_| format!("bad number in `{s}`"));
    let map_type = |t: &str| MapType::from_name(t).ok_or_else(|| format!("unknown map type `{t}`"));
    let inner = match inner {
        None => None,
        Some(i) => {
            let f: Vec<&str> = i.split(':').collect();
            let [t, k, v, n, flags] = f.as_slice() else {
                return Err(format!("bad inner map in `{s}`"));
            };
            Some(InnerMap {
                map_type: map_type(t)?,
                key_size: num(k)?,
                value_size: num(v)?,
                max_entries: num(n)?,
                flags: num(flags)?,
            })
        }
    };
    let value_size = num(v)?;
    Ok(MapSpec {
        name: Cow::Owned(name.to_string()),
        map_type: map_type(t)?,
        key_size: num(k)?,
        value_size,
        max_entries: num(n)?,
        flags: num(flags)?,
        btf: lock.and_then(|off| spin_lock_btf(num(k).ok()?, value_size, off)),
        inner,
    })
}

/// BTF for a map whose value holds a `bpf_spin_lock` at `off` (the kernel needs it to know
/// where the lock is): an `i32` key (a byte array of another size) and bytes around the lock.
/// The layouts are type parameters (BTF descriptions are functions): the selftests' ones are
/// listed; another layout gets no BTF (both verifiers then see a map without a lock).
fn spin_lock_btf(key: u32, value: u32, off: u32) -> Option<MapBtf> {
    fn lock_value<const HEAD: usize, const TAIL: usize>(b: &mut Btf) -> Option<u32> {
        use ebpf_dsl::btf::{BpfSpinLock, Kind, Member, Type};
        let lock = BpfSpinLock::btf_type(b);
        let head = <[u8; HEAD]>::btf_type(b);
        let tail = <[u8; TAIL]>::btf_type(b);
        let m = |name: &str, ty, off: usize| Member {
            name: name.into(),
            ty,
            bit_offset: off as u32 * 8,
            bitfield_size: 0,
        };
        let mut members = Vec::new();
        if HEAD > 0 {
            members.push(m("head", head, 0));
        }
        members.push(m("lock", lock, HEAD));
        if TAIL > 0 {
            members.push(m("tail", tail, HEAD + 4));
        }
        Some(b.add(Type::new(
            "lock_value",
            Kind::Struct {
                size: (HEAD + 4 + TAIL) as u32,
                members,
            },
        )))
    }
    fn int_key(b: &mut Btf) -> Option<u32> {
        Some(i32::btf_type(b))
    }
    let value: MaybeBtfFn = match (value, off) {
        (4, 0) => lock_value::<0, 0>,
        (8, 0) => lock_value::<0, 4>,
        (8, 4) => lock_value::<4, 0>,
        (16, 0) => lock_value::<0, 12>,
        (16, 4) => lock_value::<4, 8>,
        (16, 8) => lock_value::<8, 4>,
        _ => return None,
    };
    (key == 4).then_some(MapBtf {
        key: int_key,
        value,
    })
}

/// The kernel creates `sk_storage` maps only with BTF for the key (a 32-bit int) and the value
/// (any type of the value's size). The converter gives sizes, not types: an `i32` key and a
/// byte array of the value's size (the selftests' `struct val` has a `bpf_spin_lock` in it,
/// which this leaves out; both verifiers see the same map).
fn with_storage_btf(mut m: MapSpec) -> MapSpec {
    fn key(b: &mut Btf) -> Option<u32> {
        Some(i32::btf_type(b))
    }
    fn bytes<const N: usize>(b: &mut Btf) -> Option<u32> {
        Some(<[u8; N]>::btf_type(b))
    }
    let value: Option<MaybeBtfFn> = match m.value_size {
        4 => Some(bytes::<4>),
        8 => Some(bytes::<8>),
        16 => Some(bytes::<16>),
        _ => None,
    };
    if m.map_type == MapType::SkStorage && m.key_size == 4 && m.btf.is_none() {
        if let Some(value) = value {
            m.btf = Some(MapBtf { key, value });
        }
    }
    m
}

fn read_manifest(path: &Path) -> Result<Vec<Case>, String> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    let mut lines = text.lines();
    let header: Vec<&str> = lines.next().ok_or("empty manifest")?.split('\t').collect();
    let col = |name: &str| {
        header
            .iter()
            .position(|h| *h == name)
            .ok_or_else(|| format!("manifest has no column `{name}`"))
    };
    let c = [
        col("suite")?,
        col("case")?,
        col("prog_type")?,
        col("attach_type")?,
        col("prog_flags")?,
        col("expect")?,
        col("maps")?,
        col("file")?,
        col("llvm_mc")?,
        col("not_expressible")?,
    ];
    // The mutant corpus's columns (optional).
    let kind = header.iter().position(|h| *h == "kind");
    let mutation = header.iter().position(|h| *h == "mutation");
    let mut cases = Vec::new();
    for line in lines {
        let f: Vec<&str> = line.split('\t').collect();
        let opt = |i: Option<usize>| {
            i.and_then(|i| f.get(i))
                .copied()
                .unwrap_or("")
                .replace("\\\\", "\\")
        };
        let get = |i: usize| f.get(c[i]).copied().unwrap_or("").to_string();
        let pt = get(2);
        cases.push(Case {
            suite: get(0),
            name: get(1),
            prog_type: ProgramType::from_name(&pt).ok_or(format!("unknown type `{pt}`"))?,
            attach_type: get(3).parse().unwrap_or(0),
            prog_flags: get(4).parse().unwrap_or(0) | extra_flags(),
            expect: get(5),
            maps: get(6)
                .split_whitespace()
                .map(|m| parse_map(m).map(with_storage_btf))
                .collect::<Result<_, _>>()?,
            file: get(7),
            llvm_mc: get(8),
            not_expressible: get(9),
            kind: opt(kind),
            mutation: opt(mutation),
        });
    }
    Ok(cases)
}

/// The running kernel's BTF (`/sys/kernel/btf/vmlinux`), decoded once; `None` without it.
fn running_btf() -> Option<&'static Btf> {
    static BTF: std::sync::OnceLock<Option<Btf>> = std::sync::OnceLock::new();
    BTF.get_or_init(|| {
        std::fs::read("/sys/kernel/btf/vmlinux")
            .ok()
            .and_then(|b| Btf::decode(&b).ok())
    })
    .as_ref()
}

/// The running kernel's symbol names (`/proc/kallsyms`), for the cases that load a kernel
/// variable by its BTF id (`btf_id(var NAME)`), given with its BTF.
fn running_kallsyms() -> Option<&'static ebpf_dsl::btf::Kallsyms> {
    static SYMS: std::sync::OnceLock<Option<ebpf_dsl::btf::Kallsyms>> = std::sync::OnceLock::new();
    SYMS.get_or_init(|| ebpf_dsl::btf::Kallsyms::running().ok())
        .as_ref()
}

/// The input with the running kernel's BTF and symbol names.
fn with_running<'a>(input: &VerifyInput<'a>, btf: &'a Btf) -> VerifyInput<'a> {
    let input = input.clone().with_vmlinux(btf);
    match running_kallsyms() {
        Some(k) => input.with_kallsyms(k),
        None => input,
    }
}

/// `$VERIFIER_SELFTESTS_EXTRA_FLAGS`: prog flags added to every case (0 when unset).
fn extra_flags() -> u32 {
    std::env::var("VERIFIER_SELFTESTS_EXTRA_FLAGS")
        .ok()
        .and_then(|v| v.trim().parse().ok())
        .unwrap_or(0)
}

#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Debug)]
enum Outcome {
    Agree,
    FalseAccept,
    FalseReject,
    ParseFailure,
    NotExpressible,
}

struct Result1 {
    outcome: Outcome,
    /// Our verdict: None = accepted, Some(message) = rejected.
    ours: Option<String>,
    /// The kernel's: None = accepted, Some(last log line) = rejected; "" when not loaded.
    kernel: Option<String>,
    /// Reason class (disagreements) or the not-expressible reason.
    class: String,
    /// The prog flags of the case the running kernel does not know ([`unknown_flags`]),
    /// left out of its load (0: none).
    dropped_flags: u32,
}

/// The prog flags a kernel may not know whatever the program type, by name and first
/// release: a load with one the kernel does not know fails with EINVAL before verifying
/// anything (no log), which says nothing about the program.
const PROBED_FLAGS: [(u32, &str); 5] = [
    (1 << 0, "BPF_F_STRICT_ALIGNMENT (4.12)"),
    (1 << 1, "BPF_F_ANY_ALIGNMENT (5.1)"),
    (1 << 2, "BPF_F_TEST_RND_HI32 (5.3)"),
    (1 << 3, "BPF_F_TEST_STATE_FREQ (5.5)"),
    (1 << 7, "BPF_F_TEST_REG_INVARIANTS (6.7)"),
];

/// The flags of `flags` among [`PROBED_FLAGS`] that the running kernel does not know: each
/// probed once, by loading `r0 = 0; exit` as a socket filter with it alone (EINVAL, errno 22:
/// unknown).
fn unknown_flags(flags: u32) -> u32 {
    static KNOWN: std::sync::OnceLock<u32> = std::sync::OnceLock::new();
    let unknown = *KNOWN.get_or_init(|| {
        let prog = [
            ebpf_dsl::isa::insn::Insn::new(0xb7, 0, 0, 0, 0),
            ebpf_dsl::isa::insn::Insn::new(0x95, 0, 0, 0, 0),
        ];
        PROBED_FLAGS
            .iter()
            .filter(|&&(bit, _)| {
                let opts = LoadOptions {
                    prog_flags: bit,
                    ..Default::default()
                };
                let r = Program::load_insns(
                    "flagprobe",
                    ProgramType::SocketFilter,
                    "GPL",
                    &prog,
                    &opts,
                );
                matches!(r, Err(ref e) if e.errno() == Some(22))
            })
            .fold(0, |a, &(bit, _)| a | bit)
    });
    flags & unknown
}

/// The names of the flags in `bits` ([`PROBED_FLAGS`]).
fn flag_names(bits: u32) -> String {
    PROBED_FLAGS
        .iter()
        .filter(|&&(bit, _)| bits & bit != 0)
        .map(|&(_, name)| name)
        .collect::<Vec<_>>()
        .join(", ")
}

/// The last line of the kernel's log that says why (not the statistics lines).
fn last_log_line(log: &str) -> String {
    log.lines()
        .rev()
        .map(str::trim)
        .find(|l| {
            !l.is_empty()
                && !l.starts_with("processed ")
                && !l.starts_with("verification time")
                && !l.starts_with("stack depth")
        })
        .unwrap_or("(empty log)")
        .to_string()
}

/// A message with its numbers and register names generalised, for grouping.
fn normalise(msg: &str) -> String {
    let mut out = String::new();
    let mut chars = msg.chars().peekable();
    while let Some(ch) = chars.next() {
        if ch.is_ascii_digit() || (ch == '-' && chars.peek().is_some_and(|c| c.is_ascii_digit())) {
            while chars
                .peek()
                .is_some_and(|c| c.is_ascii_alphanumeric() || *c == '_')
            {
                chars.next();
            }
            out.push('N');
        } else if (ch == 'r' || ch == 'R' || ch == 'w')
            && chars.peek().is_some_and(|c| c.is_ascii_digit())
            && !out.ends_with(|c: char| c.is_ascii_alphanumeric())
        {
            while chars.peek().is_some_and(|c| c.is_ascii_digit()) {
                chars.next();
            }
            out.push_str("rX");
        } else {
            out.push(ch);
        }
    }
    let out: String = out.split_whitespace().collect::<Vec<_>>().join(" ");
    match out.char_indices().nth(90) {
        Some((i, _)) => format!("{}…", &out[..i]),
        None => out,
    }
}

fn kernel_name(name: &str) -> String {
    name.chars().take(15).collect()
}

/// The kernel's refusal of the first arena map among `maps` (`BPF_MAP_CREATE` failing with
/// EPERM to root: arenas are disabled in this kernel), if there is one and it refuses it.
fn arena_refused(maps: &[MapSpec]) -> Option<String> {
    let m = maps.iter().find(|m| m.map_type == MapType::Arena)?;
    let mut km = m.clone();
    km.name = Cow::Owned(kernel_name(m.name_str()));
    match Map::create(&km) {
        Err(Error::MapOp { errno, .. }) if errno == libc::EPERM => Some(format!(
            "BPF_MAP_CREATE of the arena `{}`: EPERM (this kernel refuses arena maps, so no program using one loads)",
            m.name_str()
        )),
        _ => None,
    }
}

/// The ld_imm64 instructions with a map pseudo source (`BPF_PSEUDO_MAP_FD` /
/// `BPF_PSEUDO_MAP_VALUE`) that no relocation names: (index, source register).
fn unnamed_map_loads(
    insns: &[ebpf_dsl::isa::insn::Insn],
    relocations: &[ebpf_dsl::Relocation],
) -> Vec<(usize, u8)> {
    let mut out = Vec::new();
    let mut i = 0;
    while i < insns.len() {
        let insn = &insns[i];
        if insn.is_ld_imm64() {
            if matches!(insn.src(), 1 | 2) && !relocations.iter().any(|r| r.insn_index == i) {
                out.push((i, insn.src()));
            }
            i += 2;
        } else {
            i += 1;
        }
    }
    out
}

/// `STATE_COMPARE_OUT=DIR`: where case `c`'s file with extension `ext` goes (its kernel
/// level-2 log, `klog`, or our states, `ours`: tools/state-compare/ compares them).
fn state_out(c: &Case, ext: &str) -> Option<PathBuf> {
    let dir = PathBuf::from(std::env::var_os("STATE_COMPARE_OUT")?);
    let name: String = format!("{}__{}", c.suite, c.name)
        .chars()
        .map(|ch| {
            if ch.is_ascii_alphanumeric() || ch == '_' {
                ch
            } else {
                '_'
            }
        })
        .collect();
    Some(dir.join(format!("{name}.{ext}")))
}

fn run_case(dir: &Path, c: &Case) -> Result1 {
    let not = |class: String| Result1 {
        outcome: Outcome::NotExpressible,
        ours: None,
        kernel: None,
        class,
        dropped_flags: 0,
    };
    if !c.not_expressible.is_empty() {
        return not(c.not_expressible.clone());
    }
    let src = match std::fs::read_to_string(dir.join(&c.file)) {
        Ok(s) => s,
        Err(e) => return not(format!("cannot read the converted program: {e}")),
    };
    // A `__ksym` variable by name (`btf_id(var NAME)`, what the converter writes for one): the
    // running kernel's id, for both sides. (Only that form: converted text keeps the C's
    // trailing comments, `# if (offsetof(skb, mark) > ...)`, which are not names to resolve.)
    let src = if src.contains("btf_id(var ") {
        let Some(btf) = running_btf() else {
            return not("names kernel BTF ids (no /sys/kernel/btf/vmlinux here)".into());
        };
        match ebpf_dsl::asm::resolve_btf_names(&src, btf) {
            Ok(s) => s,
            Err(d) => {
                let why = d.first().map(|d| d.message.to_string()).unwrap_or_default();
                return not(format!("names kernel BTF the running kernel lacks: {why}"));
            }
        }
    } else {
        src
    };
    // Ours, step 1: does it parse at all?
    let raw = match assemble_unchecked(&src) {
        Ok(a) => a,
        Err(diags) => {
            let msg = diags
                .first()
                .map(|d| d.message.to_string())
                .unwrap_or_default();
            if c.llvm_mc != "ok" {
                return not(format!("llvm-mc refuses it too ({})", c.llvm_mc));
            }
            return Result1 {
                outcome: Outcome::ParseFailure,
                ours: Some(msg.clone()),
                kernel: None,
                class: format!("parse: {}", normalise(&msg)),
                dropped_flags: 0,
            };
        }
    };
    // The manifest's maps and the text's own `.map` declarations (global data: the converter
    // lays out the `.data`/`.bss`/`.rodata` sections a case uses as array maps).
    let maps: Vec<MapSpec> = c.maps.iter().chain(raw.maps.iter()).cloned().collect();
    // The running kernel may refuse an arena map to root (6.18.44 here: BPF_MAP_CREATE gives
    // EPERM whatever the attributes): then no program using it can load, which is the
    // kernel's verdict on the case (a rejection), not a case that cannot be expressed.
    // Ours, step 2: the structural checks, then the verifier.
    let ours = match assemble(&src) {
        Err(diags) => Some(format!(
            "[structure] {}",
            diags
                .first()
                .map(|d| d.message.to_string())
                .unwrap_or_default()
        )),
        Ok(a) => {
            // The load below passes BTF function info for a case that takes a callback's
            // address (xsk-runtime's loader: `loader_passes_btf`), and the kernel judges it so.
            let func_info = ebpf_dsl::btf::loader_func_info(&a.insns, &[]);
            let input = VerifyInput {
                insns: &a.insns,
                prog_type: c.prog_type,
                relocations: &a.relocations,
                maps: &maps,
                license: "GPL",
                // The ground truth is the running kernel: assume what it has.
                kernel: running_kernel(),
                expected_attach_type: (c.attach_type != 0).then_some(c.attach_type),
                // The global data, written and (read-only) frozen as for the kernel above.
                data: &raw.data,
                spin_locks: &[],
                timers: &[],
                kptrs: &[],
                globals: &[],
                func_info: ebpf_dsl::btf::loader_passes_btf(&a.insns, false, &[])
                    .then_some(&func_info[..]),
                vmlinux: None,
                kallsyms: None,
                program_types: None,
                strict_alignment: ebpf_dsl::spec::strict_alignment(c.prog_flags),
                interpreter: false,
                xdp_dev_bound: c.prog_flags & ebpf_dsl::verifier::BPF_F_XDP_DEV_BOUND_ONLY != 0,
                unavailable_helpers: running_unavailable(c.prog_type),
                // The running machine's CPUs, as the kernel bounds the CPU number by them.
                possible_cpus: xsk_runtime::os::possible_cpus().ok(),
            };
            // Refused for want of the kernel's BTF: verified again with the running kernel's,
            // as `ebpf-dsl check --btf` does.
            let mut btf_used = false;
            let verdict = match verify(&input) {
                Err(errs) if errs.first().is_some_and(needs_vmlinux) => match running_btf() {
                    Some(btf) => {
                        btf_used = true;
                        verify(&with_running(&input, btf))
                    }
                    None => Err(errs),
                },
                v => v,
            };
            // `STATE_COMPARE_OUT=DIR`: our states for tools/state-compare (only watching).
            if let Some(path) = state_out(c, "ours") {
                let input = match (btf_used, running_btf()) {
                    (true, Some(btf)) => with_running(&input, btf),
                    _ => input.clone(),
                };
                let (_, text) = ebpf_dsl::verifier::trace::verify_dumped(
                    &input,
                    &ebpf_dsl::verifier::Trust::none(),
                );
                let _ = std::fs::write(path, text);
            }
            match verdict {
                Ok(_) => None,
                Err(errs) => errs
                    .first()
                    .map(|e| format!("[{}] insn {}: {}", e.rule, e.insn_index, e.message)),
            }
        }
    };
    // A mutant that takes this verifier to its instruction limit (a loop made unbounded)
    // cannot be a false accept: the kernel, which would walk its own 1M instructions for
    // 10-25 s, is not asked (counted as not expressible, with this reason).
    if !c.kind.is_empty()
        && ours
            .as_deref()
            .is_some_and(|o| o.starts_with("[too complex]"))
    {
        return not(
            "ours: too complex (the instruction limit), the kernel not asked (its 1M-instruction walk is the slow part of a mutant run)"
                .into(),
        );
    }
    let mut dropped_flags = 0;
    let kernel = if let Some(refused) = arena_refused(&maps) {
        Some(refused)
    } else {
        // The kernel's verdict on exactly these instructions.
        let kmaps: Vec<Map> = match maps
            .iter()
            .map(|m| {
                let mut km = m.clone();
                km.name = Cow::Owned(kernel_name(m.name_str()));
                let map = Map::create(&km).map_err(|e| {
                    let e = e.to_string();
                    let e = e.split("; hint").next().unwrap_or("");
                    format!("{} map: {e}", m.map_type)
                })?;
                // initial contents, written and (`.rodata`) frozen as libbpf does
                if let Some(d) = raw.data.iter().find(|d| d.map == m.name_str()) {
                    let mut value = d.bytes.clone();
                    value.resize(m.value_size as usize, 0);
                    map.update(&0u32.to_ne_bytes(), &value, UpdateFlags::Any)
                        .map_err(|e| format!("initial value of `{}`: {e}", m.name_str()))?;
                    if d.read_only {
                        map.freeze()
                            .map_err(|e| format!("freeze `{}`: {e}", m.name_str()))?;
                    }
                }
                Ok::<Map, String>(map)
            })
            .collect::<Result<_, _>>()
        {
            Ok(m) => m,
            Err(e) => return not(format!("the kernel refuses the map ({e})")),
        };
        // A map reference no relocation names (a raw `.8byte` ld_imm64 with a map pseudo
        // source and a literal fd, e.g. fd 0): the loader refuses to pass it on, but the
        // selftest gives it to the kernel as written, and so does this test.
        let unnamed = unnamed_map_loads(&raw.insns, &raw.relocations);
        let mut written = raw.insns.clone();
        for &(i, _) in &unnamed {
            let w = written[i];
            written[i] = ebpf_dsl::isa::insn::Insn::new(w.code, w.dst(), 0, w.off, w.imm);
        }
        let spec = ProgramSpec {
            name: Cow::Borrowed("selftest"),
            prog_type: c.prog_type,
            license: Cow::Borrowed("GPL"),
            insns: Cow::Owned(written),
            relocations: Cow::Owned(raw.relocations.clone()),
            maps: Cow::Owned(maps.clone()),
            lines: Default::default(),
        };
        let mut insns = match relocate(&spec, |sym| {
            maps.iter()
                .position(|m| m.name_str() == sym)
                .map(|i| &kmaps[i])
        }) {
            Ok(i) => i,
            Err(e) => return not(format!("relocation: {e}")),
        };
        for &(i, src) in &unnamed {
            let w = insns[i];
            insns[i] = ebpf_dsl::isa::insn::Insn::new(w.code, w.dst(), src, w.off, w.imm);
        }
        let klog = state_out(c, "klog");
        // A flag this kernel does not know (an older kernel than the selftests': 6.1 and
        // `BPF_F_TEST_REG_INVARIANTS`) is left out, and the case reported so: the kernel's
        // verdict is then on the program, not on the flag (ours never reads those flags).
        dropped_flags = unknown_flags(c.prog_flags);
        let opts = LoadOptions {
            expected_attach_type: (c.attach_type != 0).then_some(c.attach_type),
            prog_flags: c.prog_flags & !dropped_flags,
            // The level-2 log for tools/state-compare.
            always_log: klog.is_some(),
            verbose: klog.is_some(),
            ..Default::default()
        };
        let loaded = Program::load_insns("selftest", c.prog_type, "GPL", &insns, &opts);
        if let Some(path) = klog {
            let log = match &loaded {
                Ok(p) => p.verifier_log().unwrap_or(""),
                Err(Error::Verifier { log, .. }) => log.as_str(),
                Err(_) => "",
            };
            let _ = std::fs::write(path, log);
        }
        match loaded {
            Ok(_) => None,
            Err(Error::Verifier { log, .. }) => Some(last_log_line(&log)),
            Err(e) => Some(e.to_string()),
        }
    };
    let (outcome, class) = match (&ours, &kernel) {
        (None, None) | (Some(_), Some(_)) => (Outcome::Agree, String::new()),
        (None, Some(k)) => (Outcome::FalseAccept, normalise(k)),
        (Some(o), None) => {
            // "[rule] insn N: message" -> "rule: message" generalised
            let (rule, rest) = o.split_once("] ").unwrap_or(("", o));
            let rest = rest
                .split_once(": ")
                .filter(|(p, _)| p.starts_with("insn "))
                .map_or(rest, |(_, r)| r);
            (
                Outcome::FalseReject,
                format!("{}] {}", rule, normalise(rest)),
            )
        }
    };
    Result1 {
        outcome,
        ours,
        kernel,
        class,
        dropped_flags,
    }
}

fn kernel_selftests_differential() {
    let ci = std::env::var("CI").as_deref() == Ok("true");
    let cache = cache_dir();
    // `$VERIFIER_SELFTESTS_CORPUS`: another corpus of the same form (the mutants `run.sh`
    // makes with `VERIFIER_SELFTESTS_MUTANTS`), relative to the checkout's root.
    let dir = match std::env::var_os("VERIFIER_SELFTESTS_CORPUS") {
        Some(d) if !d.is_empty() => repo_root().join(d),
        _ => cache.join("corpus"),
    };
    let manifest = dir.join("manifest.tsv");
    if !manifest.exists() {
        let fetch = ci || std::env::var("VERIFIER_SELFTESTS_FETCH").as_deref() == Ok("1");
        if !fetch {
            println!(
                "skipped: no converted corpus at {} (run tools/verifier-selftests/run.sh, or set VERIFIER_SELFTESTS_FETCH=1 to fetch ~150 MB and convert)",
                manifest.display()
            );
            return;
        }
        let script = repo_root().join("tools/verifier-selftests/convert.py");
        let status = std::process::Command::new("python3")
            .arg(&script)
            .env("VERIFIER_SELFTESTS_CACHE", cache_base())
            .env("VERIFIER_SELFTESTS_SOURCE", source_name())
            .status()
            .unwrap_or_else(|e| panic!("cannot run python3 {}: {e}", script.display()));
        assert!(status.success(), "{} failed: {status}", script.display());
    }
    let cases = read_manifest(&manifest).unwrap_or_else(|e| panic!("{e}"));
    let mutants = cases.iter().any(|c| !c.kind.is_empty());
    // test_verifier's `verifier/*.c` (tools/verifier-selftests/legacy/): 1,365 tests in 6.1, 526
    // in 6.12, fewer in later trees as they move to `progs/`
    let legacy = std::fs::read_to_string(dir.join("source.txt")).is_ok_and(|s| {
        s.split('\t')
            .next()
            .is_some_and(|p| p.ends_with(" test_verifier"))
    });
    assert!(
        mutants || cases.len() > if legacy { 200 } else { 500 },
        "the manifest has {} cases; the converter lost most of the corpus",
        cases.len()
    );
    let start = Instant::now();
    let results: Vec<Result1> = cases
        .iter()
        .map(|c| {
            let t = Instant::now();
            let r = run_case(&dir, c);
            // the slow ones, to size a mutant run
            if t.elapsed().as_secs_f64() > 2.0 {
                eprintln!(
                    "{}/{}: {:.1} s ({:?})",
                    c.suite,
                    c.name,
                    t.elapsed().as_secs_f64(),
                    r.outcome
                );
            }
            r
        })
        .collect();
    let secs = start.elapsed().as_secs_f64();
    // A relative path is taken from the checkout's root (cargo runs tests in tests/).
    let out = std::env::var_os("VERIFIER_SELFTESTS_RESULTS")
        .map(|p| repo_root().join(p))
        .unwrap_or_else(|| cache.join("results"));
    let (md, total) = report(&cases, &results, &source_description(&dir), secs, &out);
    let table_end = md.find("## Per suite").unwrap_or(md.len());
    println!("{}", &md[..table_end]);
    println!("results: {}", out.display());
    let false_accepts: Vec<String> = cases
        .iter()
        .zip(&results)
        .filter(|(_, r)| r.outcome == Outcome::FalseAccept)
        .map(|(c, r)| {
            format!(
                "{}/{}{}: kernel: {}",
                c.suite,
                c.name,
                if c.mutation.is_empty() {
                    String::new()
                } else {
                    format!(" [{}]", c.mutation)
                },
                r.kernel.as_deref().unwrap_or("")
            )
        })
        .collect();
    assert!(
        false_accepts.is_empty(),
        "{} false accepts (we accept, the kernel rejects):\n{}",
        total.false_accept,
        false_accepts.join("\n")
    );
}

kernel_tests! {
    privileged: [
        kernel_selftests_differential,
    ],
}
