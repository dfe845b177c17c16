//! Reading a crate's source for the layout tests (`ebpf-dsl/tests/layers.rs` and the workspace's
//! `tests/tests/module_graph.rs`): its `.rs` files, and their code without comments and test
//! modules.

use std::fs;
use std::path::{Path, PathBuf};

/// Every `.rs` file under `dir`, appended to `out`.
pub fn rs_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            rs_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// The code of `src` without comments, without its `#[cfg(test)] mod ... { ... }` blocks and
/// without its other `#[cfg(...)]` attribute lines.
pub fn code(src: &str) -> String {
    let mut out = String::new();
    let mut lines = src.lines().peekable();
    let mut skip_depth: Option<i32> = None;
    while let Some(line) = lines.next() {
        let t = line.trim_start();
        let line = if t.starts_with("//") {
            ""
        } else {
            line.split(" //").next().unwrap_or(line)
        };
        if let Some(depth) = skip_depth.as_mut() {
            *depth += line.matches('{').count() as i32 - line.matches('}').count() as i32;
            if *depth <= 0 {
                skip_depth = None;
            }
            continue;
        }
        if t == "#[cfg(test)]"
            && lines
                .peek()
                .is_some_and(|n| n.trim_start().starts_with("mod "))
        {
            let head = lines.next().unwrap_or_default();
            let depth = head.matches('{').count() as i32 - head.matches('}').count() as i32;
            if depth > 0 {
                skip_depth = Some(depth);
            }
            continue;
        }
        // Any other `#[cfg(...)]` attribute is a condition, not a use of a module named `cfg`.
        if t.starts_with("#[cfg(") && t.ends_with(")]") {
            continue;
        }
        out.push_str(line);
        out.push('\n');
    }
    out
}
