//! Rendering many diagnostics: line starts computed once ([`LineIndex`]), the same positions
//! as the one-off [`line_col_at`], and at most `max_shown` printed with a count of the rest.

use ebpf_dsl::asm::diag::{line_col_at, more_line};
use ebpf_dsl::asm::{self, render_all, LineIndex, MAX_SHOWN};

#[test]
fn line_index_agrees_with_the_scan_at_every_offset() {
    let src = "r0 = 0\n\né r1 = 2 # ü\n  exit\nlast";
    let index = LineIndex::new(src);
    for pos in 0..=src.len() + 2 {
        assert_eq!(index.line_col(src, pos), line_col_at(src, pos), "at {pos}");
    }
    assert_eq!(index.line_bounds(src, 3), (8, 22));
    assert_eq!(&src[8..22], "é r1 = 2 # ü");
    assert_eq!(index.line_bounds(src, 2), (7, 7));
    assert_eq!(index.line_bounds(src, 5), (src.len() - 4, src.len()));
    // A line past the end is empty, not a panic.
    assert_eq!(index.line_bounds(src, 99), (src.len(), src.len()));
}

#[test]
fn render_all_caps_the_output_and_counts_the_rest() {
    let src: String = (0..250).map(|i| format!("foo r{}\n", i % 10)).collect();
    let diags = asm::assemble(&src).unwrap_err();
    assert_eq!(diags.len(), 250);
    let text = render_all(&diags, &src, "p.s", MAX_SHOWN);
    assert_eq!(text.matches(": error: ").count(), MAX_SHOWN);
    assert!(
        text.ends_with("p.s: ... and 150 more errors (not shown)"),
        "{text}"
    );
    // Each shown one is what `render` gives alone.
    assert!(text.starts_with(&diags[0].render(&src, "p.s")));
    assert!(text.contains(&diags[99].render(&src, "p.s")));
    assert!(!text.contains("p.s:101:1"));
    // Under the cap there is no summary line.
    let few = render_all(&diags[..3], &src, "p.s", MAX_SHOWN);
    assert_eq!(few.lines().count(), 9);
    assert_eq!(
        more_line(101, 100, "f"),
        Some("f: ... and 1 more error (not shown)".into())
    );
    assert_eq!(more_line(100, 100, "f"), None);
}

#[test]
fn the_error_type_caps_too() {
    let src: String = (0..300).map(|_| "foo\n").collect();
    let e = ebpf_dsl::assemble(&src).unwrap_err();
    let shown = e.to_string();
    assert!(shown.starts_with("assembling the program failed with 300 errors:"));
    assert_eq!(shown.matches("\n  line ").count(), MAX_SHOWN);
    assert!(shown.ends_with("\n  ... and 200 more"), "{shown}");
    let rendered = e.render("p.s");
    assert_eq!(rendered.matches(": error: ").count(), MAX_SHOWN);
    assert!(rendered.ends_with("p.s: ... and 200 more errors (not shown)"));
}

#[test]
fn a_statement_per_semicolon_on_one_long_line_renders() {
    // 5,000 errors on one line: the columns come from the one line, capped output.
    let src = "foo;".repeat(5_000);
    let diags = asm::assemble(&src).unwrap_err();
    assert_eq!(diags.len(), 5_000);
    let text = render_all(&diags, &src, "p.s", 2);
    assert!(text.starts_with("p.s:1:1: error: "));
    assert!(text.contains("p.s:1:5: error: "));
    assert!(text.ends_with("... and 4998 more errors (not shown)"));
    // The 20,000-character line is shown as a window around the column, carets under it.
    let far = diags[4_000].render(&src, "p.s");
    let lines: Vec<&str> = far.lines().collect();
    assert_eq!(lines[0], "p.s:1:16001: error: unknown instruction `foo` (expected a register, `*(..)`, `if`, `goto`, `call`, `exit`, `lock`, `store_release`, a label `name:` or a snippet `name!(..)`)");
    assert!(
        lines[1].starts_with("...") && lines[1].ends_with("..."),
        "{}",
        lines[1]
    );
    assert_eq!(lines[1].chars().count(), 206);
    let caret = lines[2].find('^').expect("caret");
    assert_eq!(&lines[1][caret..caret + 3], "foo");
    assert_eq!(lines[2].trim_start(), "^^^");
    assert!(diags[0]
        .render(&src, "p.s")
        .lines()
        .nth(1)
        .unwrap()
        .ends_with("..."));
}
