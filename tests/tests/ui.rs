//! Compile-time behaviour of `defmap!` and `defprogram!`, checked with trybuild: every
//! `tests/ui/<theme>/*.rs` must fail to compile with exactly the checked-in `.stderr` (the
//! caret on the offending token, the message saying what is wrong and what to do), and every
//! `tests/ui/pass/*.rs` must compile and run.
//!
//! Regenerate the `.stderr` files after a deliberate change with
//! `TRYBUILD=overwrite cargo test -p workspace-tests --test ui`, then read every diff.

/// The compile-fail themes, one folder each.
const THEMES: &[&str] = &[
    "syntax",
    "register",
    "immediate",
    "offset",
    "shift",
    "div_zero",
    "labels",
    "ld_imm64_jump",
    "fallthrough",
    "r10",
    "helper",
    "program",
    "map_spec",
    "map_item",
    "extern_const",
    "verifier",
    "btf",
];

#[test]
fn ui() {
    let t = trybuild::TestCases::new();
    for theme in THEMES {
        t.compile_fail(format!("tests/ui/{theme}/*.rs"));
    }
    t.pass("tests/ui/pass/*.rs");
}

/// Every rule of the static verifier has its compile-fail case, `tests/ui/verifier/<rule>.rs`
/// (the rule's name in snake case), whose `.stderr` shows the verifier's message tagged with
/// the rule — or, for a rule whose mistakes the assembler's structural checks catch before the
/// verifier runs, a first comment saying so (and no tag).
#[test]
fn every_verifier_rule_has_a_ui_case() {
    use ebpf_dsl::verifier::Rule;
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/ui/verifier");
    let mut missing = Vec::new();
    for rule in Rule::ALL {
        let mut file = String::new();
        for (i, c) in format!("{rule:?}").chars().enumerate() {
            if c.is_ascii_uppercase() && i > 0 {
                file.push('_');
            }
            file.push(c.to_ascii_lowercase());
        }
        let rs = std::fs::read_to_string(dir.join(format!("{file}.rs")));
        let stderr = std::fs::read_to_string(dir.join(format!("{file}.stderr")));
        let (Ok(rs), Ok(stderr)) = (rs, stderr) else {
            missing.push(format!(
                "{rule:?}: no tests/ui/verifier/{file}.rs and .stderr"
            ));
            continue;
        };
        let tag = format!("[verifier: {}]", rule.name());
        let by_assembler = rs.starts_with("//") && rs.contains("caught earlier, by the assembler");
        if !stderr.contains(&tag) && !by_assembler {
            missing.push(format!(
                "{rule:?}: {file}.stderr does not show `{tag}` and {file}.rs does not say the \
                 assembler catches it first"
            ));
        }
        if !stderr.contains(&format!("--> tests/ui/verifier/{file}.rs:")) {
            missing.push(format!("{rule:?}: {file}.stderr has no span in {file}.rs"));
        }
    }
    assert!(missing.is_empty(), "{}", missing.join("\n"));
}
