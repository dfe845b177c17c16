//! The module graphs of the workspace's crates, as a test. Two rules keep the layout the one
//! README and the crate docs draw:
//!
//! 1. **Layers** (xsk-runtime; ebpf-dsl has its own `tests/layers.rs`). Every top-level module
//!    of `src/` uses only the modules below it in [`LAYERS`] (and itself): errors → the private syscall layer `sys` → the public ABI and OS
//!    views → `pod` → `bpf/` (maps, programs, loading, attaching) → `xsk/` (UMEM, queues, rings,
//!    sockets, the one-call interface) → the async adapters. The seam between the two halves is
//!    that `bpf/` never reaches into `xsk/`.
//! 2. **No cycles**, in every crate. Among the files (modules) of a crate, the graph of `crate::`/`super::`
//!    paths has no cycle, leaving aside a module and its own ancestors (a `mod.rs` re-exporting
//!    its children, a child using its parent's items).
//!
//! Paths through re-exports (`crate::Umem`, `crate::xsk::Workers`, `super::maps::XskMap`) are
//! followed to the file that defines the item. Comments and `#[cfg(test)] mod tests` blocks
//! are not scanned (tests may use anything).

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::Path;

#[path = "../../ebpf-dsl/tests/support/source_scan.rs"]
mod source_scan;
use source_scan::{code, rs_files};

/// xsk-runtime's top-level modules, bottom up.
const LAYERS: &[&str] = &["error", "sys", "abi", "os", "pod", "bpf", "xsk", "async_io"];

/// A module path below the crate root, e.g. `["xsk", "umem"]`.
type ModPath = Vec<String>;

struct Crate {
    /// Every module and the code of its file (comments and test modules removed).
    modules: BTreeMap<ModPath, String>,
    /// Per module, the names it re-exports (`pub use a::b::{C, D as E}`) and the path each
    /// leads to, relative to that module (or absolute when it starts at `crate`).
    reexports: BTreeMap<ModPath, BTreeMap<String, Vec<String>>>,
}

fn is_ident_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '_'
}

/// Flattens a use tree (`a::{b, c::{d as e}}`) into full paths, each ending with the name it
/// binds (`e` for `d as e`, which then leads to `a::c::d`): returns (bound name, path).
fn flatten_use(tree: &str) -> Vec<(String, Vec<String>)> {
    fn walk(tree: &str, prefix: &[String], out: &mut Vec<(String, Vec<String>)>) {
        let tree = tree.trim();
        if tree.is_empty() {
            return;
        }
        if let Some(open) = tree.find('{') {
            let head: Vec<String> = tree[..open]
                .split("::")
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(String::from)
                .collect();
            let mut path = prefix.to_vec();
            path.extend(head);
            let inner = &tree[open + 1..tree.rfind('}').unwrap_or(tree.len())];
            let mut depth = 0;
            let mut start = 0;
            for (i, c) in inner.char_indices() {
                match c {
                    '{' => depth += 1,
                    '}' => depth -= 1,
                    ',' if depth == 0 => {
                        walk(&inner[start..i], &path, out);
                        start = i + 1;
                    }
                    _ => {}
                }
            }
            walk(&inner[start..], &path, out);
            return;
        }
        let (path_part, alias) = match tree.split_once(" as ") {
            Some((p, a)) => (p, Some(a.trim())),
            None => (tree, None),
        };
        let mut path = prefix.to_vec();
        path.extend(
            path_part
                .split("::")
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(String::from),
        );
        let Some(last) = path.last().cloned() else {
            return;
        };
        if last == "*" || last == "self" {
            return;
        }
        out.push((alias.map_or(last, String::from), path));
    }
    let mut out = Vec::new();
    walk(tree, &[], &mut out);
    out
}

/// Every `crate::...` and `super::...` path in `code`, grouped ones flattened.
fn paths(code: &str) -> Vec<Vec<String>> {
    let mut out = Vec::new();
    for root in ["crate::", "super::"] {
        for (i, _) in code.match_indices(root) {
            if code[..i].ends_with(is_ident_char) || code[..i].ends_with("::") {
                continue; // `ebpf_crate::`, or `super::super::` counted from the first
            }
            let rest = &code[i..];
            // The use tree or path: up to the first character that cannot continue it.
            let mut depth = 0;
            let mut end = rest.len();
            for (j, c) in rest.char_indices() {
                match c {
                    '{' => depth += 1,
                    '}' if depth > 0 => depth -= 1,
                    c if depth > 0 || is_ident_char(c) || c == ':' => {}
                    _ => {
                        end = j;
                        break;
                    }
                }
            }
            let tree = rest[..end].trim_end_matches(':');
            for (_, path) in flatten_use(tree) {
                out.push(path);
            }
        }
    }
    out
}

impl Crate {
    /// The crate in the workspace folder `dir` (e.g. `xsk-runtime`).
    fn load(dir: &str) -> Crate {
        let src = Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("..")
            .join(dir)
            .join("src");
        let mut files = Vec::new();
        rs_files(&src, &mut files);
        let mut modules = BTreeMap::new();
        let mut reexports = BTreeMap::new();
        for file in files {
            let rel = file.strip_prefix(&src).expect("under src/");
            let mut parts: ModPath = rel
                .with_extension("")
                .components()
                .map(|c| c.as_os_str().to_string_lossy().into_owned())
                .collect();
            if parts
                .last()
                .is_some_and(|l| l == "mod" || l == "lib" || l == "tests")
            {
                if parts.last().is_some_and(|l| l == "tests") {
                    continue; // a test module's own file
                }
                parts.pop();
            }
            let text = code(&fs::read_to_string(&file).expect("read a source file"));
            let mut names = BTreeMap::new();
            for (i, _) in text.match_indices("pub use ") {
                let tree = text[i + "pub use ".len()..]
                    .split(';')
                    .next()
                    .unwrap_or_default();
                for (name, path) in flatten_use(tree) {
                    names.insert(name, path);
                }
            }
            reexports.insert(parts.clone(), names);
            modules.insert(parts, text);
        }
        Crate { modules, reexports }
    }

    /// The file (module) that defines what `path`, written in module `from`, names; `None` for
    /// items of the crate root itself or paths that lead outside the crate.
    fn resolve(&self, from: &ModPath, path: &[String], hops: usize) -> Option<ModPath> {
        if hops > 16 {
            return None;
        }
        let mut abs: ModPath = Vec::new();
        let mut rest = path;
        match rest.first().map(String::as_str) {
            Some("crate") => rest = &rest[1..],
            Some("super") => {
                abs = from.clone();
                while rest.first().is_some_and(|s| s == "super") {
                    abs.pop()?;
                    rest = &rest[1..];
                }
            }
            Some("self") => {
                abs = from.clone();
                rest = &rest[1..];
            }
            _ => abs = from.clone(),
        }
        // Walk down while the next segment is a module; stop at the first item.
        let mut module = abs;
        for (k, seg) in rest.iter().enumerate() {
            let mut next = module.clone();
            next.push(seg.clone());
            if self.modules.contains_key(&next) {
                module = next;
                continue;
            }
            // An item: defined here, or re-exported from elsewhere.
            if let Some(target) = self.reexports.get(&module).and_then(|r| r.get(seg)) {
                let mut via = target.clone();
                via.extend(rest[k + 1..].iter().cloned());
                if via
                    .first()
                    .is_some_and(|s| s != "crate" && s != "super" && s != "self")
                    && !self
                        .modules
                        .contains_key(&[module.clone(), vec![via[0].clone()]].concat())
                {
                    return None; // re-exported from another crate
                }
                return self.resolve(&module, &via, hops + 1);
            }
            break;
        }
        (!module.is_empty()).then_some(module)
    }

    /// The module graph: module → the modules its code uses.
    fn graph(&self) -> BTreeMap<ModPath, BTreeSet<ModPath>> {
        let mut graph = BTreeMap::new();
        for (module, text) in &self.modules {
            let mut uses = BTreeSet::new();
            for path in paths(text) {
                if let Some(target) = self.resolve(module, &path, 0) {
                    if &target != module {
                        uses.insert(target);
                    }
                }
            }
            graph.insert(module.clone(), uses);
        }
        graph
    }
}

fn name(m: &ModPath) -> String {
    if m.is_empty() {
        "crate".into()
    } else {
        m.join("::")
    }
}

fn is_ancestor(a: &ModPath, b: &ModPath) -> bool {
    a.len() < b.len() && b.starts_with(a)
}

/// Every group of modules that import each other in a circle (the strongly connected
/// components of `graph` with more than one module, edges between a module and its ancestors
/// left aside), each sorted, with one circle through it for the message.
fn cycles(graph: &BTreeMap<ModPath, BTreeSet<ModPath>>) -> Vec<(Vec<ModPath>, Vec<ModPath>)> {
    let edges = |m: &ModPath| -> Vec<ModPath> {
        graph
            .get(m)
            .into_iter()
            .flatten()
            .filter(|n| !is_ancestor(n, m) && !is_ancestor(m, n))
            .cloned()
            .collect()
    };
    let reach = |from: &ModPath| -> BTreeSet<ModPath> {
        let mut seen = BTreeSet::new();
        let mut todo = vec![from.clone()];
        while let Some(m) = todo.pop() {
            for n in edges(&m) {
                if seen.insert(n.clone()) {
                    todo.push(n);
                }
            }
        }
        seen
    };
    let reachable: BTreeMap<ModPath, BTreeSet<ModPath>> =
        graph.keys().map(|m| (m.clone(), reach(m))).collect();
    let mut done = BTreeSet::new();
    let mut out = Vec::new();
    for m in graph.keys() {
        if done.contains(m) || !reachable[m].contains(m) {
            continue;
        }
        let group: Vec<ModPath> = graph
            .keys()
            .filter(|n| reachable[m].contains(*n) && reachable[*n].contains(m))
            .cloned()
            .collect();
        // One circle: a shortest path from `m` back to itself inside the group.
        let mut prev: BTreeMap<ModPath, ModPath> = BTreeMap::new();
        let mut queue = std::collections::VecDeque::from([m.clone()]);
        let mut circle = vec![m.clone()];
        'search: while let Some(x) = queue.pop_front() {
            for n in edges(&x) {
                if &n == m {
                    let mut at = x.clone();
                    let mut back = vec![m.clone(), x.clone()];
                    while let Some(p) = prev.get(&at) {
                        back.push(p.clone());
                        at = p.clone();
                    }
                    back.reverse();
                    circle = back;
                    break 'search;
                }
                if group.contains(&n) && !prev.contains_key(&n) && &n != m {
                    prev.insert(n.clone(), x.clone());
                    queue.push_back(n);
                }
            }
        }
        done.extend(group.iter().cloned());
        out.push((group, circle));
    }
    out
}

#[test]
fn top_level_modules_use_only_the_layers_below_them() {
    let krate = Crate::load("xsk-runtime");
    let mut wrong = Vec::new();
    for (from, uses) in krate.graph() {
        let Some(top) = from.first() else { continue };
        let Some(own) = LAYERS.iter().position(|l| l == top) else {
            wrong.push(format!("module `{top}` is not in LAYERS"));
            continue;
        };
        for to in uses {
            let Some(used) = to.first().and_then(|t| LAYERS.iter().position(|l| l == t)) else {
                continue;
            };
            if used > own {
                wrong.push(format!(
                    "`{}` uses `{}`, a layer above it",
                    name(&from),
                    name(&to)
                ));
            }
        }
    }
    wrong.dedup();
    assert!(
        wrong.is_empty(),
        "imports against the layer order {LAYERS:?}:\n{}",
        wrong.join("\n")
    );
}

fn assert_no_cycle(dir: &str, at_least: usize) {
    let graph = Crate::load(dir).graph();
    assert!(
        graph.len() >= at_least,
        "{dir}: the scan found too few modules: {:?}",
        graph.keys().collect::<Vec<_>>()
    );
    let edges: usize = graph.values().map(BTreeSet::len).sum();
    assert!(
        edges >= at_least,
        "{dir}: the scan found too few imports ({edges})"
    );
    let found = cycles(&graph);
    let report: Vec<String> = found
        .iter()
        .map(|(group, circle)| {
            let members: Vec<String> = group.iter().map(name).collect();
            let path: Vec<String> = circle.iter().map(name).collect();
            format!("{{{}}}, e.g. {}", members.join(", "), path.join(" -> "))
        })
        .collect();
    assert!(
        report.is_empty(),
        "{dir}: modules importing each other in a circle:\n{}",
        report.join("\n")
    );
}

#[test]
fn xsk_runtime_has_no_import_cycle() {
    assert_no_cycle("xsk-runtime", 30);
}

#[test]
fn ebpf_dsl_has_no_import_cycle() {
    assert_no_cycle("ebpf-dsl", 60);
}

#[test]
fn ebpf_dsl_cli_has_no_import_cycle() {
    assert_no_cycle("ebpf-dsl-cli", 5);
}

#[test]
fn xsk_testkit_has_no_import_cycle() {
    assert_no_cycle("xsk-testkit", 3);
}

#[test]
fn ebpf_dsl_macros_has_no_import_cycle() {
    assert_no_cycle("ebpf-dsl-macros", 5);
}

#[test]
fn the_scanner_follows_groups_super_and_reexports() {
    let got: Vec<Vec<String>> = paths(
        "use crate::{xsk::{umem::Umem, ring}, Error};\nfn f() { super::fill::g() }\n\
         use super::super::x::Y;\n",
    );
    let flat: Vec<String> = got.iter().map(|p| p.join("::")).collect();
    assert_eq!(
        flat,
        [
            "crate::xsk::umem::Umem",
            "crate::xsk::ring",
            "crate::Error",
            "super::fill::g",
            "super::super::x::Y",
        ]
    );
    assert_eq!(
        flatten_use("a::{b as c, d::{e}}"),
        [
            ("c".to_string(), vec!["a".to_string(), "b".to_string()]),
            (
                "e".to_string(),
                vec!["a".to_string(), "d".to_string(), "e".to_string()]
            ),
        ]
    );
    let krate = Crate::load("xsk-runtime");
    let from: ModPath = vec!["xsk".into(), "socket".into()];
    let via_root = krate.resolve(&from, &["crate".into(), "Error".into()], 0);
    assert_eq!(via_root, Some(vec!["error".to_string()]));
    let sibling = krate.resolve(&from, &["super".into(), "umem".into(), "Umem".into()], 0);
    assert_eq!(sibling, Some(vec!["xsk".to_string(), "umem".to_string()]));
}

#[test]
fn a_cycle_is_found_and_an_ancestor_edge_is_not_one() {
    let m = |s: &str| -> ModPath { s.split("::").map(String::from).collect() };
    let mut g: BTreeMap<ModPath, BTreeSet<ModPath>> = BTreeMap::new();
    g.insert(m("xsk::a"), [m("xsk::b"), m("xsk")].into());
    g.insert(m("xsk::b"), [m("xsk::c")].into());
    g.insert(m("xsk"), [m("xsk::a")].into());
    g.insert(m("xsk::c"), BTreeSet::new());
    assert!(cycles(&g).is_empty());
    g.insert(m("xsk::c"), [m("xsk::a")].into());
    g.insert(m("bpf::x"), [m("bpf::y")].into());
    g.insert(m("bpf::y"), [m("bpf::x")].into());
    let found = cycles(&g);
    assert_eq!(found.len(), 2, "{found:?}");
    let (group, circle) = &found[1];
    assert_eq!(group, &[m("xsk::a"), m("xsk::b"), m("xsk::c")]);
    assert_eq!(
        circle,
        &[m("xsk::a"), m("xsk::b"), m("xsk::c"), m("xsk::a")]
    );
    assert_eq!(found[0].1, [m("bpf::x"), m("bpf::y"), m("bpf::x")]);
}
