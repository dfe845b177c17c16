#!/usr/bin/env python3
"""Mutants of the real programs: the soundness side of the corpus.

Real programs are almost all accepted by the kernel, so they can show false rejects but hardly
false accepts. For every entry point that both verifiers accept (from `programs.csv` of
run.py), this takes its text (`ebpf-dsl disasm OBJ --section FUNCTION`, maps as `.map` lines)
and makes mutants that each delete one safety check: a register-register comparison (the
packet bounds checks `if rX > rEnd goto ...`), a comparison with 0 (the NULL checks after a
map lookup), a comparison with another constant (index and length checks) or an AND mask
(`rX &= 0xff`, what bounds an index); or weaken one by a little (`mutate`): a constant bound
one further, a packet bounds check one byte short, a mask one bit wider, a load or store
widened to 8 bytes (the mutations are `mutation.py`'s `REAL_KINDS`, shared with the verifier
selftests' mutants). They are spread over the program (at most MAX_PER_KIND of each kind per
entry point; REAL_PROGRAMS_MUTANTS_PER_KIND sets it, REAL_PROGRAMS_MUTANTS_KINDS takes some
of the kinds).
Each mutant goes to both verifiers: `ebpf-dsl check MUT.s --type T --kernel MAJOR.MINOR`
(the running kernel's version) and, as root,
`ebpf-dsl load MUT.s --type T` (the same instructions and maps). A mutant the kernel rejects
and we accept is a false accept. The unmutated text is checked first: an entry point whose
text the kernel does not accept (maps that need BTF, initial global data) is skipped.

Entry points past MAX_INSNS instructions (REAL_PROGRAMS_MUTANTS_MAX_INSNS, default 2,000) are
skipped, and so is one whose text is the same as an entry point's already mutated (calico's
and cilium's variants often compile to the same program). REAL_PROGRAMS_ONLY (comma-separated
substrings of the object's id, as run.py) takes a subset of `programs.csv`, so a slice can be
mutated again without re-running run.py.

Writes `mutants.md` and `mutants.csv` into the results directory. Exit status 1 on a false
accept.
"""

import csv
import os
import subprocess
import sys
from pathlib import Path

# The mutations themselves (shared with tools/verifier-selftests/mutants.py).
from mutation import REAL_KINDS, mutate  # noqa: E402
# The kernel the verifier targets: the running one, as run.py decides it.
from run import compare_verdicts, running_kernel  # noqa: E402

MAX_PER_KIND = int(os.environ.get("REAL_PROGRAMS_MUTANTS_PER_KIND", "6"))
MAX_INSNS = int(os.environ.get("REAL_PROGRAMS_MUTANTS_MAX_INSNS", "2000"))
# The kinds of mutant, in order; REAL_PROGRAMS_MUTANTS_KINDS (comma-separated) takes some.
ALL_KINDS = REAL_KINDS
KINDS = [k for k in os.environ.get("REAL_PROGRAMS_MUTANTS_KINDS", ",".join(ALL_KINDS))
         .split(",") if k]


def sized(line):
    """A `.map` line of 0 entries (sized by the project's loader) gets one per CPU, as the
    kernel's verdict in run.py does; a perf event array as libbpf and cilium/ebpf create it
    (kload): one entry per CPU when it declares 0, 4-byte keys and values when it declares
    none."""
    if not line.startswith(".map "):
        return line
    words = line.split(" ")
    perf = len(words) > 2 and words[2] == "perf_event_array"
    for i, w in enumerate(words):
        if w == "max_entries=0":
            words[i] = f"max_entries={os.cpu_count()}"
        elif perf and w in ("key=0", "value=0"):
            words[i] = w[:-1] + "4"
    return " ".join(words)


def run(cmd):
    return subprocess.run(cmd, capture_output=True, text=True, errors="replace", timeout=600)


def last(text):
    lines = [ln for ln in text.splitlines() if ln.strip() and not ln.startswith("processed")]
    return lines[-1].strip() if lines else ""


def spread(idx, n):
    if len(idx) <= n:
        return idx
    return [idx[i * len(idx) // n] for i in range(n)]


def main():
    cache = Path(os.environ["REAL_PROGRAMS_CACHE"])
    results = Path(os.environ["REAL_PROGRAMS_RESULTS"])
    cli = os.environ["EBPF_DSL"]
    # A compiler variant's objects (run.sh's REAL_PROGRAMS_OBJ), and its mutants beside them.
    objs = Path(os.environ.get("REAL_PROGRAMS_OBJ") or cache / "obj")
    work = cache / "mutants" if objs == cache / "obj" else objs / "mutants"
    work.mkdir(parents=True, exist_ok=True)
    with open(results / "programs.csv") as f:
        entries = [r for r in csv.DictReader(f) if r["outcome"] == "agree" and
                   r["kernel"] == "accept"]
    only = [w for w in os.environ.get("REAL_PROGRAMS_ONLY", "").split(",") if w]
    entries = [e for e in entries if not only or any(w in e["object"] for w in only)]
    rows, skipped, seen = [], [], {}
    for e in entries:
        obj = objs / (e["object"].replace("/", "__") + ".o")
        # CO-RE relocations resolved against the running kernel's BTF, as `check --btf`.
        r = run([cli, "disasm", str(obj), "--section", e["function"], "--type", e["type"],
                 "--btf", "/sys/kernel/btf/vmlinux"])
        if r.returncode != 0:
            skipped.append((e, "disasm: " + last(r.stderr)))
            continue
        text = [sized(ln) for ln in r.stdout.splitlines()]
        if sum(1 for ln in text if ln.startswith("\t")) > MAX_INSNS:
            skipped.append((e, f"more than {MAX_INSNS} instructions"))
            continue
        key = (e["type"], "\n".join(text))
        if key in seen:
            skipped.append((e, f"the same text as {seen[key]}, already mutated"))
            continue
        seen[key] = f"{e['object']} `{e['function']}`"
        stem = work / (e["object"].replace("/", "__") + "__" + e["function"])
        base = Path(f"{stem}.s")
        base.write_text("\n".join(text) + "\n")
        t = ["--type", e["type"]]
        # The kernel's BTF for reads through BTF pointers, as the objects are checked.
        ours = ["--kernel", running_kernel(), "--unavailable-helpers", "running",
                "--possible-cpus", "running", "--btf", "/sys/kernel/btf/vmlinux"]
        k = run([cli, "load", str(base), *t])
        if k.returncode != 0:
            skipped.append((e, "the kernel does not take the text: " + last(k.stderr)))
            continue
        o = run([cli, "check", str(base), *t, *ours])
        if o.returncode != 0:
            skipped.append((e, "we reject the text: " + last(o.stderr)))
            continue
        for kind in KINDS:
            idx = [i for i, ln in enumerate(text) if mutate(kind, text, i) is not None]
            for i in spread(idx, MAX_PER_KIND):
                mut = Path(f"{stem}__{kind}{i}.s")
                new = mutate(kind, text, i)
                mut.write_text("\n".join(text[:i] + new + text[i + 1:]) + "\n")
                what = text[i].strip() + (f" -> {new[0].strip()}" if new else "")
                k = run([cli, "load", str(mut), *t])
                o = run([cli, "check", str(mut), *t, *ours])
                kv = "accept" if k.returncode == 0 else ("reject" if k.returncode == 1 else
                                                          "error")
                ov = "accept" if o.returncode == 0 else ("reject" if o.returncode == 1 else
                                                         "error")
                outcome = compare_verdicts(kv, ov)
                rows.append({"object": e["object"], "function": e["function"],
                             "type": e["type"], "deleted": what, "line": i + 1,
                             "kind": kind, "kernel": kv, "ours": ov, "outcome": outcome,
                             "kernel_log": last(k.stdout + k.stderr) if kv != "accept" else "",
                             "ours_first": o.stderr.splitlines()[0].replace(f"{work}/", "")
                             if ov != "accept" and o.stderr else "",
                             "mutant": mut.name})
                print(f"{e['object']} {e['function']} -{i + 1} `{what}`: "
                      f"kernel {kv}, ours {ov}: {outcome}", file=sys.stderr)
    write(results, rows, skipped, len(entries))
    return 1 if any(r["outcome"] == "FALSE ACCEPT" for r in rows) else 0


def write(results, rows, skipped, n):
    cols = ["object", "function", "type", "kind", "line", "deleted", "kernel", "ours",
            "outcome", "kernel_log", "ours_first", "mutant"]
    with open(results / "mutants.csv", "w", newline="") as f:
        w = csv.DictWriter(f, cols)
        w.writeheader()
        w.writerows(rows)
    c = {k: sum(1 for r in rows if r["outcome"] == k)
         for k in ("agree", "FALSE ACCEPT", "false reject", "error")}
    krej = sum(1 for r in rows if r["kernel"] == "reject")
    kinds = sorted({r["kind"] for r in rows})
    md = ["# Mutants of the real programs: one safety check deleted", "",
          "Written by `tools/real-programs/run.sh` (`mutants.py`; do not edit). Each mutant is "
          "the text (`ebpf-dsl disasm`) of an entry point both verifiers accept, with one "
          "register-register comparison (`bounds`), comparison with 0 (`null`), comparison "
          "with another constant (`range`) or AND mask (`mask`) deleted, or one check "
          "weakened: a constant bound one further (`bound+1`), the `rX += K` of a packet "
          "bounds check one byte short (`pkt-1`), a mask one bit wider (`mask+1`), a load or "
          "store widened to 8 bytes (`widen`); "
          "ours = `ebpf-dsl check`, the kernel's = `ebpf-dsl load` as root (the same "
          "instructions and maps).", "",
          "| entry points | skipped | mutants | kernel rejects | agree | false accepts "
          "| false rejects | errors |",
          "|---:|---:|---:|---:|---:|---:|---:|---:|",
          f"| {n} | {len(skipped)} | {len(rows)} | {krej} | {c['agree']} | "
          f"{c['FALSE ACCEPT']} | {c['false reject']} | {c['error']} |", "",
          "| kind | mutants | kernel rejects | false accepts | false rejects |",
          "|---|---:|---:|---:|---:|"]
    for k in kinds:
        sel = [r for r in rows if r["kind"] == k]
        md.append(f"| {k} | {len(sel)} | {sum(1 for r in sel if r['kernel'] == 'reject')} | "
                  f"{sum(1 for r in sel if r['outcome'] == 'FALSE ACCEPT')} | "
                  f"{sum(1 for r in sel if r['outcome'] == 'false reject')} |")
    md.append("")
    for title, kind in (("False accepts", "FALSE ACCEPT"), ("False rejects", "false reject"),
                        ("Errors", "error")):
        sel = [r for r in rows if r["outcome"] == kind]
        md += [f"## {title}: {len(sel)}", ""]
        if sel:
            md += ["| object | function | deleted (line) | kernel | ours (first line) |",
                   "|---|---|---|---|---|"]
            md += [f"| {r['object']} | {r['function']} | `{r['deleted']}` ({r['line']}) | "
                   f"{r['kernel']} {esc(r['kernel_log'])} | {esc(r['ours_first'])} |"
                   for r in sel]
            md.append("")
    md += [f"## Skipped entry points: {len(skipped)}", ""]
    md += [f"- {e['object']} `{e['function']}`: {esc(why)}" for e, why in skipped]
    md.append("")
    (results / "mutants.md").write_text("\n".join(md))
    print(f"{len(rows)} mutants: {c['agree']} agree ({krej} rejected by the kernel), "
          f"{c['FALSE ACCEPT']} false accepts, {c['false reject']} false rejects, "
          f"{c['error']} errors; {len(skipped)} entry points skipped")


def esc(s):
    return (s or "").replace("|", "\\|")[:300]


if __name__ == "__main__":
    sys.exit(main())
