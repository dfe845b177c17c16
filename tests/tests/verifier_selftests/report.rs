//! The report of `verifier_selftests.rs`: `summary.md` (totals, per program type, per suite,
//! per kind of mutant for a mutant corpus, the disagreements by class) and `cases.csv`.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::Path;

use super::{Case, Outcome, Result1};

/// The outcomes of a set of cases.
#[derive(Default, Clone, Copy)]
pub(super) struct Counts {
    cases: usize,
    agree: usize,
    /// We accept, the kernel rejects.
    pub(super) false_accept: usize,
    false_reject: usize,
    parse: usize,
    not_expressible: usize,
}

impl Counts {
    fn add(&mut self, o: Outcome) {
        self.cases += 1;
        match o {
            Outcome::Agree => self.agree += 1,
            Outcome::FalseAccept => self.false_accept += 1,
            Outcome::FalseReject => self.false_reject += 1,
            Outcome::ParseFailure => self.parse += 1,
            Outcome::NotExpressible => self.not_expressible += 1,
        }
    }
    /// Agreement over the expressible cases (parse failures count against).
    fn agreement(&self) -> f64 {
        let n = self.cases - self.not_expressible;
        if n == 0 {
            100.0
        } else {
            100.0 * self.agree as f64 / n as f64
        }
    }
    /// The row of the per-kind table: the kernel's accepts after the count.
    fn row_with_accepts(&self, name: &str, accepts: usize) -> String {
        let row = self.row(name);
        let cells = row.trim_start_matches(&format!("| {name} | {} |", self.cases));
        format!("| {name} | {} | {accepts} |{cells}", self.cases)
    }
    fn row(&self, name: &str) -> String {
        let agreement = if self.cases == self.not_expressible {
            "—".to_string()
        } else {
            format!("{:.1}%", self.agreement())
        };
        format!(
            "| {name} | {} | {} | {} | {} | {} | {} | {agreement} |",
            self.cases,
            self.agree,
            self.false_accept,
            self.false_reject,
            self.parse,
            self.not_expressible,
        )
    }
}

fn csv(s: &str) -> String {
    if s.contains([',', '"', '\n']) {
        format!("\"{}\"", s.replace('"', "\"\"").replace('\n', " "))
    } else {
        s.to_string()
    }
}

fn verdict(v: &Option<String>) -> &'static str {
    if v.is_some() {
        "reject"
    } else {
        "accept"
    }
}

/// Writes summary.md and cases.csv; returns the summary.
pub(super) fn report(
    cases: &[Case],
    results: &[Result1],
    source: &str,
    secs: f64,
    out: &Path,
) -> (String, Counts) {
    let mut per_suite: BTreeMap<&str, Counts> = BTreeMap::new();
    let mut total = Counts::default();
    for (c, r) in cases.iter().zip(results) {
        per_suite.entry(&c.suite).or_default().add(r.outcome);
        total.add(r.outcome);
    }
    let mut md = String::new();
    let mutants = cases.iter().any(|c| !c.kind.is_empty());
    let (title, what) = if mutants {
        (
            "Mutants of the kernel verifier selftests",
            " Each case is a mutant of one (`mutants.py`, `VERIFIER_SELFTESTS_MUTANTS`): one line \
             changed, named `CASE~KIND~LINE`.",
        )
    } else {
        ("Kernel verifier selftests", "")
    };
    // test_verifier's older tests (tools/verifier-selftests/legacy/: `source.txt` names the
    // package followed by ` test_verifier`)
    let (title, script, corpus) = if source.contains(" test_verifier`") {
        (
            "Kernel test_verifier tests",
            "legacy/run.sh",
            "socket/xdp/tc tests of `tools/testing/selftests/bpf/verifier/*.c` (test_verifier)",
        )
    } else {
        (
            title,
            "run.sh",
            "socket/xdp/tc cases of `tools/testing/selftests/bpf/progs/verifier_*.c`",
        )
    };
    let _ = writeln!(
        md,
        "# {title}: our static verifier against the running kernel\n\n\
         Written by `tools/verifier-selftests/{script}` (do not edit). Kernel: `{}`. Corpus: the \
         {corpus} from Debian's {source}, converted to text programs.{what} Ground truth: \
         `BPF_PROG_LOAD` as root. Agreement = agree / (cases - not expressible); parse failures \
         count against. Run time of the verdicts: {secs:.1} s.\n",
        kernel_release()
    );
    let _ = writeln!(md, "## Totals\n");
    let header = "| suite | cases | agree | false accepts | false rejects | parse failures | not expressible | agreement |\n|---|---:|---:|---:|---:|---:|---:|---:|";
    let _ = writeln!(md, "{header}\n{}", total.row("**all**"));
    let mut per_type: BTreeMap<&str, Counts> = BTreeMap::new();
    for (c, r) in cases.iter().zip(results) {
        per_type
            .entry(c.prog_type.name())
            .or_default()
            .add(r.outcome);
    }
    for (t, n) in &per_type {
        let _ = writeln!(md, "{}", n.row(&format!("{t} programs")));
    }
    md.push('\n');
    if mutants {
        md.push_str(&per_kind(cases, results));
    }
    // False rejects by what the kernel can do and we cannot: where the next verifier work goes.
    let mut by_gap: BTreeMap<&str, (usize, Vec<&str>)> = BTreeMap::new();
    for (c, r) in cases.iter().zip(results) {
        if r.outcome == Outcome::FalseReject {
            let e = by_gap
                .entry(precision_gap(r.ours.as_deref().unwrap_or("")))
                .or_default();
            e.0 += 1;
            e.1.push(&c.name);
        }
    }
    let mut by_gap: Vec<_> = by_gap.into_iter().collect();
    by_gap.sort_by(|a, b| b.1 .0.cmp(&a.1 .0).then(a.0.cmp(b.0)));
    let _ = writeln!(
        md,
        "## False rejects by what the kernel proves and we do not\n\n| class | false rejects | e.g. |\n|---|---:|---|"
    );
    for (gap, (n, names)) in by_gap {
        let eg: Vec<&str> = names.into_iter().take(3).collect();
        let _ = writeln!(md, "| {gap} | {n} | {} |", eg.join(", "));
    }
    md.push('\n');
    let _ = writeln!(md, "## Per suite\n\n{header}");
    for (s, n) in &per_suite {
        let _ = writeln!(md, "{}", n.row(s));
    }
    // Cases whose flag the running kernel does not know: loaded without it (named, so that
    // no disagreement hides behind the flag; none on a kernel that knows them all).
    let dropped: Vec<String> = cases
        .iter()
        .zip(results)
        .filter(|(_, r)| r.dropped_flags != 0)
        .map(|(c, r)| {
            format!(
                "- `{}/{}`: without {} — {:?}",
                c.suite,
                c.name,
                super::flag_names(r.dropped_flags),
                r.outcome
            )
        })
        .collect();
    if !dropped.is_empty() {
        let _ = writeln!(
            md,
            "\n## Loaded without a prog flag this kernel does not know: {}\n\nThe kernel refuses a load with a flag it does not know (EINVAL, no log) whatever the program; the case is loaded without it, and its verdict is the kernel's on the program (ours reads none of these flags).\n\n{}",
            dropped.len(),
            dropped.join("\n")
        );
    }
    // Disagreements grouped by class.
    for (title, kind) in [
        (
            "False accepts (we accept, the kernel rejects)",
            Outcome::FalseAccept,
        ),
        (
            "False rejects (we reject, the kernel accepts)",
            Outcome::FalseReject,
        ),
        (
            "Parse failures (llvm-mc takes it, our assembler does not)",
            Outcome::ParseFailure,
        ),
        ("Not expressible", Outcome::NotExpressible),
    ] {
        let mut groups: BTreeMap<&str, Vec<usize>> = BTreeMap::new();
        for (i, r) in results.iter().enumerate() {
            if r.outcome == kind {
                groups.entry(&r.class).or_default().push(i);
            }
        }
        let n: usize = groups.values().map(Vec::len).sum();
        let _ = writeln!(md, "\n## {title}: {n}\n");
        let mut sorted: Vec<_> = groups.into_iter().collect();
        sorted.sort_by(|a, b| b.1.len().cmp(&a.1.len()).then(a.0.cmp(b.0)));
        for (class, idx) in sorted {
            let _ = writeln!(md, "### {} × {class}\n", idx.len());
            if kind == Outcome::NotExpressible {
                let names: Vec<String> = idx
                    .iter()
                    .map(|&i| format!("{}/{}", cases[i].suite, cases[i].name))
                    .collect();
                let _ = writeln!(md, "{}\n", names.join(", "));
                continue;
            }
            for &i in &idx {
                let (c, r) = (&cases[i], &results[i]);
                let mutation = if c.mutation.is_empty() {
                    String::new()
                } else {
                    format!(" [{}]", c.mutation)
                };
                let _ = writeln!(
                    md,
                    "- `{}/{}` ({}){mutation}: ours: {} — kernel: {}",
                    c.suite,
                    c.name,
                    c.prog_type,
                    shorten(r.ours.as_deref().unwrap_or("accept"), 200),
                    r.kernel.as_deref().unwrap_or("accept"),
                );
            }
            md.push('\n');
        }
    }
    // Where the annotation and the running kernel disagree.
    let mut notes = Vec::new();
    for (c, r) in cases.iter().zip(results) {
        if r.outcome == Outcome::NotExpressible || r.outcome == Outcome::ParseFailure {
            continue;
        }
        let k = if r.kernel.is_some() {
            "failure"
        } else {
            "success"
        };
        if (c.expect == "success" || c.expect == "failure") && c.expect != k {
            notes.push(format!(
                "- `{}/{}`: annotated `__{}`, the running kernel: {}",
                c.suite,
                c.name,
                c.expect,
                r.kernel.as_deref().unwrap_or("accept")
            ));
        }
    }
    let _ = writeln!(
        md,
        "\n## The annotation and the running kernel disagree: {}\n\n{}",
        notes.len(),
        notes.join("\n")
    );
    let mut csv_text = String::from(
        "suite,case,prog_type,prog_flags,annotation,kernel,ours,outcome,class,our_message,kernel_last_line",
    );
    csv_text.push_str(if mutants { ",kind,mutation\n" } else { "\n" });
    for (c, r) in cases.iter().zip(results) {
        let (k, o) = if matches!(r.outcome, Outcome::NotExpressible) {
            ("", "")
        } else if r.outcome == Outcome::ParseFailure {
            ("", "parse failure")
        } else {
            (verdict(&r.kernel), verdict(&r.ours))
        };
        let _ = write!(
            csv_text,
            "{},{},{},{},{},{},{},{:?},{},{},{}",
            csv(&c.suite),
            csv(&c.name),
            c.prog_type,
            c.prog_flags,
            csv(&c.expect),
            k,
            o,
            r.outcome,
            csv(&r.class),
            csv(r.ours.as_deref().unwrap_or("")),
            csv(r.kernel.as_deref().unwrap_or("")),
        );
        if mutants {
            let _ = write!(csv_text, ",{},{}", csv(&c.kind), csv(&c.mutation));
        }
        csv_text.push('\n');
    }
    if let Err(e) = std::fs::create_dir_all(out)
        .and_then(|()| std::fs::write(out.join("summary.md"), &md))
        .and_then(|()| std::fs::write(out.join("cases.csv"), &csv_text))
    {
        panic!("cannot write the results to {}: {e}", out.display());
    }
    (md, total)
}

/// The per-kind table of a mutant corpus: each kind's mutants, how many the kernel accepts,
/// then the columns of the totals; kinds in the order they first appear.
fn per_kind(cases: &[Case], results: &[Result1]) -> String {
    let mut kinds: Vec<&str> = Vec::new();
    let mut per: BTreeMap<&str, (Counts, usize)> = BTreeMap::new();
    let mut total = (Counts::default(), 0);
    for (c, r) in cases.iter().zip(results) {
        if !kinds.contains(&c.kind.as_str()) {
            kinds.push(&c.kind);
        }
        let loaded = matches!(
            r.outcome,
            Outcome::Agree | Outcome::FalseAccept | Outcome::FalseReject
        );
        let accepted = usize::from(loaded && r.kernel.is_none());
        let e = per.entry(&c.kind).or_default();
        e.0.add(r.outcome);
        e.1 += accepted;
        total.0.add(r.outcome);
        total.1 += accepted;
    }
    let mut md = String::from(
        "## Per kind of mutant\n\n| kind | mutants | kernel accepts | agree | false accepts | false rejects | parse failures | not expressible | agreement |\n|---|---:|---:|---:|---:|---:|---:|---:|---:|\n",
    );
    for k in kinds {
        let (n, accepts) = per[k];
        let _ = writeln!(md, "{}", n.row_with_accepts(&format!("`{k}`"), accepts));
    }
    let _ = writeln!(md, "{}\n", total.0.row_with_accepts("**all**", total.1));
    md
}

/// The class of a false reject from our message: what the kernel proves that we do not.
fn precision_gap(ours: &str) -> &'static str {
    let has = |w: &str| ours.contains(w);
    if has("[uninitialised register]") {
        "a branch the kernel proves dead (linked scalars, non-constant / JMP32 comparisons, bounds through spill/fill); we walk it and read a clobbered register"
    } else if has("[structure]") && has("frame pointer") {
        "`r10` written in a branch the kernel proves dead (our structural check runs first)"
    } else if has("[unknown helper]") {
        "helper not modelled (tcp_sock, skc_to_*, spin_lock, bpf_loop, ...)"
    } else if has("variable offset") && has("stack") {
        "variable-offset stack access within proven bounds"
    } else if has("[pointer leak]") || has("spilled pointer") {
        "storing pointers to packet / map / ctx / stack memory, atomics with pointers (privileged)"
    } else if has("[packet bounds]") && has("metadata") {
        "data_meta range after `if data_meta + N > data` forms"
    } else if has("[packet bounds]") {
        "packet range after the other comparison forms (`pkt' > pkt_end` corner cases, `pkt_end >= pkt'`, ...)"
    } else if has("cannot be dereferenced") && has("the map") {
        "reading fields of a map pointer (`struct bpf_map`)"
    } else if has("xskmap") {
        "xskmap lookup results"
    } else if has("[context access]") {
        "context field size / offset"
    } else if has("[pointer arithmetic]") {
        "pointer arithmetic"
    } else {
        "other"
    }
}

fn shorten(s: &str, max: usize) -> String {
    match s.char_indices().nth(max) {
        Some((i, _)) => format!("{}…", &s[..i]),
        None => s.to_string(),
    }
}

pub(super) fn kernel_release() -> String {
    std::fs::read_to_string("/proc/sys/kernel/osrelease")
        .map(|s| s.trim().to_string())
        .unwrap_or_else(|_| "unknown".into())
}
