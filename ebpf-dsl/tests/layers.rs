//! The crate's layers, as a test: every top-level module of `src/` may use only the modules
//! below it in [`LAYERS`] (and itself). An upward `crate::` path — in a `use` or inline — fails
//! this test, so the import graph stays acyclic and the folder order shows the data flow:
//! names → instruction set → spec → symbolic program and builders → XDP building blocks → snippets →
//! assembler / disassembler / ELF objects / verifier → errors → the builder pipeline → the `dsl` facade.
//!
//! Comments and `#[cfg(test)] mod tests` blocks are not scanned (tests may use anything).

use std::collections::BTreeSet;
use std::fs;
use std::path::Path;

#[path = "support/source_scan.rs"]
mod source_scan;
use source_scan::{code, rs_files};

/// The top-level modules, bottom up.
const LAYERS: &[&str] = &[
    "names", "isa", "btf", "spec", "mapdef", "ir", "xdp", "snippet", "asm", "disasm", "elf",
    "verifier", "error", "program", "vm", "dsl",
];

/// Public paths kept at the crate root, and the layer they lead to.
const ALIASES: &[(&str, &str)] = &[
    ("insn", "isa"),
    ("decode", "isa"),
    ("consts", "isa"),
    ("helpers", "isa"),
    ("seeds", "xdp"),
    ("Insn", "isa"),
    ("Reg", "isa"),
    ("Class", "isa"),
    ("MapSpec", "spec"),
    ("MapType", "spec"),
    ("ProgramSpec", "spec"),
    ("ProgramType", "spec"),
    ("RelocKind", "spec"),
    ("Relocation", "spec"),
    ("MapDef", "mapdef"),
    ("MapKind", "mapdef"),
    ("map_kind", "mapdef"),
    ("Item", "ir"),
    ("ItemKind", "ir"),
    ("Span", "ir"),
    ("Target", "ir"),
    ("Error", "error"),
    ("assemble", "error"),
    ("Result", "error"),
];

fn rank(module: &str) -> Option<usize> {
    let module = ALIASES
        .iter()
        .find(|(a, _)| *a == module)
        .map_or(module, |(_, m)| m);
    LAYERS.iter().position(|l| *l == module)
}

/// The first path segments after every `crate::` in `code` (`crate::{a, b::c}` gives a and b).
fn crate_refs(code: &str) -> BTreeSet<String> {
    let mut refs = BTreeSet::new();
    let ident = |s: &str| -> String {
        s.chars()
            .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
            .collect()
    };
    for (i, _) in code.match_indices("crate::") {
        if code[..i].ends_with(|c: char| c.is_ascii_alphanumeric() || c == '_') {
            continue; // `ebpf_crate::`, not ours
        }
        let rest = &code[i + "crate::".len()..];
        if let Some(group) = rest.strip_prefix('{') {
            let mut depth = 1;
            let mut start = true;
            for (j, c) in group.char_indices() {
                match c {
                    '{' => depth += 1,
                    '}' => {
                        depth -= 1;
                        if depth == 0 {
                            break;
                        }
                    }
                    ',' if depth == 1 => start = true,
                    c if c.is_whitespace() => {}
                    _ if start && depth == 1 => {
                        refs.insert(ident(&group[j..]));
                        start = false;
                    }
                    _ => {}
                }
            }
        } else {
            refs.insert(ident(rest));
        }
    }
    refs.retain(|r| !r.is_empty() && r != "self");
    refs
}

#[test]
fn modules_use_only_the_layers_below_them() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    rs_files(&src, &mut files);
    files.sort();
    let mut upward = Vec::new();
    let mut unknown = BTreeSet::new();
    for file in &files {
        let rel = file.strip_prefix(&src).unwrap();
        let top = rel
            .components()
            .next()
            .unwrap()
            .as_os_str()
            .to_string_lossy();
        let top = top.trim_end_matches(".rs").to_string();
        if top == "lib" || rel.file_name().is_some_and(|n| n == "tests.rs") {
            continue;
        }
        let Some(own) = rank(&top) else {
            unknown.insert(format!(
                "{} (module `{top}` is not in LAYERS)",
                rel.display()
            ));
            continue;
        };
        let text = fs::read_to_string(file).unwrap();
        for r in crate_refs(&code(&text)) {
            match rank(&r) {
                Some(used) if used > own => upward.push(format!(
                    "{}: `crate::{r}` is in layer `{}`, above `{top}`",
                    rel.display(),
                    LAYERS[used]
                )),
                Some(_) => {}
                None => {
                    unknown.insert(format!("{}: `crate::{r}` is in no layer", rel.display()));
                }
            }
        }
    }
    assert!(
        unknown.is_empty(),
        "add new modules to LAYERS:\n{}",
        unknown.into_iter().collect::<Vec<_>>().join("\n")
    );
    assert!(
        upward.is_empty(),
        "imports against the layer order {LAYERS:?}:\n{}",
        upward.join("\n")
    );
}

/// The words of `code` (identifiers and path segments).
fn words(code: &str) -> BTreeSet<&str> {
    code.split(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
        .filter(|w| !w.is_empty())
        .collect()
}

/// Inside the verifier, the same order in small (as PREVAIL's): the abstract domain
/// (`verifier/domain/`) knows no instruction rule, transfer function, driver or pruning; the
/// transfer functions (`verifier/transfer/`) know no driver internals beyond `Exec`/`Step`,
/// and no pruning or value sources.
#[test]
fn verifier_domain_below_transfer_below_driver() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src/verifier");
    let rules: &[(&str, &[&str])] = &[
        (
            "domain",
            &[
                "transfer",
                "driver",
                "Exec",
                "Step",
                "cfg",
                "prune",
                "deps",
                "Rule",
                "VerifierError",
                "helpers",
                "ctx",
            ],
        ),
        ("transfer", &["prune", "deps", "Explorer", "Path"]),
    ];
    let mut bad = Vec::new();
    for (dir, forbidden) in rules {
        let mut files = Vec::new();
        rs_files(&src.join(dir), &mut files);
        files.sort();
        assert!(!files.is_empty(), "verifier/{dir} has no files");
        for file in &files {
            let text = fs::read_to_string(file).unwrap();
            let code = code(&text);
            let used = words(&code);
            for w in forbidden.iter().filter(|w| used.contains(*w)) {
                bad.push(format!(
                    "{}: uses `{w}`",
                    file.strip_prefix(&src).unwrap().display()
                ));
            }
        }
    }
    assert!(bad.is_empty(), "verifier layering:\n{}", bad.join("\n"));
}

#[test]
fn the_scanner_sees_inline_and_grouped_paths() {
    let refs = crate_refs(&code(
        "use crate::{asm::X, spec::{A, B}};\n// crate::program\nfn f() { crate::xdp::g() }\n\
         #[cfg(test)]\nmod tests {\n    use crate::dsl;\n}\nfn h() { crate::asm::f() }\n",
    ));
    let got: Vec<&str> = refs.iter().map(String::as_str).collect();
    assert_eq!(got, ["asm", "spec", "xdp"]);
    assert!(!refs.contains("program") && !refs.contains("dsl"));
}
