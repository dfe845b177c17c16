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
];

#[test]
fn ui() {
    let t = trybuild::TestCases::new();
    for theme in THEMES {
        t.compile_fail(format!("tests/ui/{theme}/*.rs"));
    }
    t.pass("tests/ui/pass/*.rs");
}
