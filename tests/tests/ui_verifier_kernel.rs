//! The verifier's compile-fail UI cases (`tests/ui/verifier/*.rs`) against the kernel: each
//! case's program is taken out of its `defprogram!` (and its maps out of its `defmap!`),
//! assembled with the same text assembler (`assemble_unchecked`: no structural checks, so
//! the cases the assembler catches first reach the kernel too) and loaded with
//! `BPF_PROG_LOAD`. A case says the program is wrong; the kernel must agree.
//!
//! The test prints one line per case: our rule and instruction, the kernel's verdict, the
//! instruction its log names and its reason. It fails if the kernel accepts a case whose rule
//! claims the program is invalid (a false reject of ours: the case would document a rule the
//! kernel does not have), unless it is listed, with the reason, in `KNOWN_FALSE_REJECTS` (which
//! is printed on every run). The two rules that only say "not modelled here" (`Unsupported`,
//! `UnknownHelper`) are listed when the kernel accepts them, not failed. Cases whose `.stderr`
//! is not a verifier finding (a map-spec error, a warning made an error) are listed as not
//! loaded, with the reason.

use xsk_testkit::kernel_tests;
mod kernel_log;

use std::borrow::Cow;
use std::path::Path;

use ebpf_dsl::asm::assemble_unchecked;
use ebpf_dsl::verifier::{verify, Rule, VerifyInput};
use ebpf_dsl::{MapSpec, MapType, ProgramType};
use xsk_runtime::maps::Map;
use xsk_runtime::{Error, Program};

/// Rules that do not claim the program is invalid, only that this verifier cannot judge it.
const NOT_MODELLED: [Rule; 2] = [Rule::Unsupported, Rule::UnknownHelper];

/// Cases the kernel accepts although their rule claims an invalid program: false rejects of
/// our verifier, found by this test, kept visible (printed on every run) until the verifier
/// or the case changes. A new one fails the test.
const KNOWN_FALSE_REJECTS: &[(&str, &str)] = &[(
    "null_check",
    "recent kernels (6.18 here) know that a lookup in an array map with a constant in-range \
     key finds an element, so they need no NULL check; our verifier still asks for one",
)];

/// What a case's `.stderr` (and first comment) claim.
enum Claim {
    /// A verifier finding of this rule.
    Rule(Rule),
    /// A mistake the assembler's structural checks catch before the verifier.
    Assembler,
    /// Not a claim about the program (why).
    Other(&'static str),
}

fn claim(rs: &str, stderr: &str) -> Claim {
    if let Some(tag) = stderr
        .split("[verifier: ")
        .nth(1)
        .and_then(|t| t.split(']').next())
    {
        if let Some(r) = Rule::ALL.iter().find(|r| r.name() == tag) {
            return Claim::Rule(*r);
        }
        return Claim::Other("a verifier tag this build does not know");
    }
    if rs.starts_with("//") && rs.contains("caught earlier, by the assembler") {
        return Claim::Assembler;
    }
    if stderr.contains("defmap!") || stderr.contains("kernel name") {
        return Claim::Other("a map-spec error, not a program error");
    }
    Claim::Other("no verifier finding in its .stderr (a warning made an error)")
}

/// The text between the `{` at `open` and its matching `}`.
fn braced(s: &str, open: usize) -> Option<&str> {
    let mut depth = 0usize;
    for (i, c) in s[open..].char_indices() {
        match c {
            '{' => depth += 1,
            '}' => {
                depth -= 1;
                if depth == 0 {
                    return Some(&s[open + 1..open + i]);
                }
            }
            _ => {}
        }
    }
    None
}

/// The inside of the `NAME! { ... }` invocation in `rs`, if any.
fn invocation<'a>(rs: &'a str, name: &str) -> Option<&'a str> {
    let at = rs.find(&format!("{name}! {{"))?;
    braced(rs, at + name.len() + 2)
}

/// An interpolated `{ literal arithmetic }`: integers joined by `+`, `-`, `*`, left to right.
fn eval(expr: &str) -> Option<i64> {
    let mut acc: Option<i64> = None;
    let mut op = '+';
    for tok in expr.split_whitespace() {
        match tok {
            "+" | "-" | "*" => op = tok.chars().next()?,
            n => {
                let v: i64 = n.replace('_', "").parse().ok()?;
                acc = Some(match (acc, op) {
                    (None, _) => v,
                    (Some(a), '+') => a + v,
                    (Some(a), '-') => a - v,
                    (Some(a), _) => a * v,
                });
            }
        }
    }
    acc
}

/// The program of a case: its type and its text, interpolations evaluated.
fn program(rs: &str) -> Result<(ProgramType, String), String> {
    let inside = invocation(rs, "defprogram").ok_or("no defprogram!")?;
    let open = inside.find('{').ok_or("no program body")?;
    let header = inside[..open].trim();
    let ty = header
        .split(':')
        .nth(1)
        .map(|t| t.split('(').next().unwrap_or("").trim())
        .ok_or_else(|| format!("cannot read the header `{header}`"))?;
    let pt = ProgramType::from_name(ty).ok_or_else(|| format!("unknown program type `{ty}`"))?;
    let body = braced(inside, open).ok_or("unbalanced braces")?;
    let mut text = String::new();
    let mut rest = body;
    while let Some(i) = rest.find('{') {
        text.push_str(&rest[..i]);
        let expr = braced(rest, i).ok_or("unbalanced braces")?;
        let v = eval(expr).ok_or_else(|| format!("an interpolation `{{{expr}}}`"))?;
        text.push_str(&v.to_string());
        rest = &rest[i + expr.len() + 2..];
    }
    text.push_str(rest);
    Ok((pt, text))
}

/// The size of a `defmap!` key or value type named in the case.
fn type_size(t: &str) -> Option<u32> {
    Some(match t {
        "u8" | "i8" => 1,
        "u16" | "i16" => 2,
        "u32" | "i32" => 4,
        "u64" | "i64" => 8,
        _ => return None,
    })
}

/// The maps of a case's `defmap!`, named as the program text names them.
fn maps(rs: &str) -> Result<Vec<MapSpec>, String> {
    let Some(inside) = invocation(rs, "defmap") else {
        return Ok(Vec::new());
    };
    let mut out = Vec::new();
    for item in inside.split(';') {
        let item: String = item
            .lines()
            .filter(|l| !l.trim_start().starts_with("//"))
            .collect::<Vec<_>>()
            .join(" ");
        let Some((name, def)) = item.split_once(':') else {
            continue;
        };
        let (ty, args) = def.split_once('(').ok_or("a map without arguments")?;
        let map_type = MapType::from_name(ty.trim())
            .ok_or_else(|| format!("unknown map type `{}`", ty.trim()))?;
        let (mut key, mut value, mut entries, mut flags) = (None, None, 0, 0);
        for arg in args.trim_end().trim_end_matches(')').split(',') {
            let Some((k, v)) = arg.split_once('=') else {
                continue;
            };
            let v = v.trim();
            let num = || v.parse::<u32>().map_err(|_| format!("`{arg}`"));
            match k.trim() {
                "key" => key = key.or(type_size(v)),
                "value" => value = value.or(type_size(v)),
                "key_size" => key = Some(num()?),
                "value_size" => value = Some(num()?),
                "max_entries" => entries = num()?,
                "flags" => flags = num()?,
                _ => {}
            }
        }
        let (dk, dv) = match map_type {
            MapType::Ringbuf => (0, 0),
            MapType::Hash | MapType::LruHash | MapType::PercpuHash => (0, 0),
            _ => (4, 4),
        };
        let key = key.unwrap_or(dk);
        let value = value.unwrap_or(dv);
        if (key == 0 || value == 0) && map_type != MapType::Ringbuf {
            return Err(format!(
                "map `{}` has a Rust-sized key or value",
                name.trim()
            ));
        }
        out.push(MapSpec {
            name: Cow::Owned(name.trim().to_string()),
            map_type,
            key_size: key,
            value_size: value,
            max_entries: entries,
            flags,
            btf: None,
            inner: None,
        });
    }
    Ok(out)
}

/// One case's outcome, as printed.
struct Outcome {
    case: String,
    ours: String,
    kernel: String,
    kernel_accepts: bool,
}

/// Loads one case into the kernel.
fn run_case(name: &str, rs: &str) -> Result<Outcome, String> {
    let (pt, text) = program(rs)?;
    let specs = maps(rs)?;
    let a = assemble_unchecked(&text).map_err(|d| format!("does not assemble: {d:?}"))?;
    let ours = match verify(&VerifyInput::new(&a.insns, pt).with_maps(&a.relocations, &specs)) {
        Ok(_) => "accepts".to_string(),
        Err(e) => format!("insn {:>3} {}", e[0].insn_index, e[0].rule.name()),
    };
    let created: Vec<Map> = specs
        .iter()
        .map(|s| Map::create(s).map_err(|e| format!("creating map {}: {e}", s.name)))
        .collect::<Result<_, _>>()?;
    let refs: Vec<&Map> = created.iter().collect();
    let spec = a.into_program_spec("ui_case", pt, "GPL", specs.clone());
    let (kernel, kernel_accepts) = match Program::load(&spec, &refs) {
        Ok(_) => ("ACCEPTS".to_string(), true),
        Err(Error::Verifier { log, .. }) => {
            let k = kernel_log::rejection(&log);
            let insn = k.insn.map_or("-".to_string(), |i| i.to_string());
            let first = k.message.split(" | ").next().unwrap_or("").to_string();
            (
                format!(
                    "rejects insn {insn:>3} {} ({first})",
                    kernel_log::class(&k.message)
                ),
                false,
            )
        }
        Err(e) => (format!("rejects at load: {e}"), false),
    };
    Ok(Outcome {
        case: name.to_string(),
        ours,
        kernel,
        kernel_accepts,
    })
}

fn the_kernel_rejects_every_verifier_ui_case() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/ui/verifier");
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "rs"))
        .collect();
    files.sort();
    let (mut checked, mut not_loaded, mut unreadable) = (0, Vec::new(), Vec::new());
    let (mut false_rejects, mut not_modelled, mut known) = (Vec::new(), Vec::new(), Vec::new());
    println!("{:<30} {:<32} kernel", "case", "ours");
    for path in &files {
        let name = path.file_stem().unwrap().to_string_lossy().into_owned();
        let rs = std::fs::read_to_string(path).unwrap();
        let stderr = std::fs::read_to_string(path.with_extension("stderr")).unwrap_or_default();
        let rule = match claim(&rs, &stderr) {
            Claim::Rule(r) => Some(r),
            Claim::Assembler => None,
            Claim::Other(why) => {
                not_loaded.push(format!("{name}: {why}"));
                continue;
            }
        };
        let o = match run_case(&name, &rs) {
            Ok(o) => o,
            Err(why) => {
                unreadable.push(format!("{name}: {why}"));
                continue;
            }
        };
        checked += 1;
        println!("{:<30} {:<32} {}", o.case, o.ours, o.kernel);
        if o.kernel_accepts {
            match rule {
                Some(r) if NOT_MODELLED.contains(&r) => not_modelled.push(o.case),
                _ => match KNOWN_FALSE_REJECTS.iter().find(|(c, _)| *c == o.case) {
                    Some((c, why)) => known.push(format!("{c}: {why}")),
                    None => false_rejects.push(o.case),
                },
            }
        }
    }
    for n in &not_loaded {
        println!("not loaded: {n}");
    }
    for k in &known {
        println!("FALSE REJECT (known): {k}");
    }
    println!(
        "{checked} of {} verifier UI cases loaded into the kernel; it accepts {} whose rule only \
         says \"not modelled\" ({}), {} known false rejects of ours and {} new ones ({})",
        files.len(),
        not_modelled.len(),
        not_modelled.join(", "),
        known.len(),
        false_rejects.len(),
        false_rejects.join(", ")
    );
    assert!(
        unreadable.is_empty(),
        "cases that claim an invalid program but could not be loaded: {unreadable:?}"
    );
    assert!(checked > 0, "no case was loaded");
    assert!(
        false_rejects.is_empty(),
        "the kernel accepts these verifier UI cases (false rejects of ours): {false_rejects:?}"
    );
}

kernel_tests! {
    privileged: [the_kernel_rejects_every_verifier_ui_case],
}
