#!/usr/bin/env python3
"""Mutants of the converted verifier selftests: the kernel's own boundary cases, each moved a
little, as a differential corpus (`run.sh` with `VERIFIER_SELFTESTS_MUTANTS=N`).

Reads the converted corpus (`corpus/manifest.tsv` in the cache, what `convert.py` writes) and,
for every case that can be expressed, makes at most N mutants of each kind of
`tools/real-programs/mutation.py` (the real programs' kinds, a safety check deleted or
weakened, and the kinds that suit small hand-written programs: a jump's operator or operands,
an immediate, an access size, an ALU operation, an instruction dropped, a stack or memory
offset, JMP32 / ALU32 forms). Each mutant changes one line; the lines a kind applies to are
sampled and a variant chosen by a generator seeded with `VERIFIER_SELFTESTS_MUTANTS_SEED`
(default 1), the case and the kind, so the same corpus and seed give the same mutants. A
mutant whose text is the case's own or another mutant's of that case is left out.

Writes the mutants and their `manifest.tsv` (the corpus's columns, the case named
`CASE~KIND~LINE`, no annotation, plus `kind` and `mutation`) into `mutants/` of the cache;
`tests/tests/verifier_selftests.rs` then reads that corpus (`VERIFIER_SELFTESTS_CORPUS`) as it
reads the cases, and adds the per-kind table to its summary. Everything here is derived from
the kernel's GPL tests and stays in the cache.

Knobs: `VERIFIER_SELFTESTS_MUTANTS` (N, mutants of each kind per case), `_SEED`, `_KINDS`
(comma-separated, a subset of the kinds), `_ONLY` (comma-separated substrings of
`suite/case`), `_MAX_INSNS` (cases of more lines are skipped; default 2,000), `_STRIDE` (`K/M`:
only the cases whose index is K modulo M, a slice of the corpus).
"""

import csv
import os
import random
import shutil
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "real-programs"))
from mutation import ALL_KINDS, strip_comment, variants  # noqa: E402


def cache_dir():
    here = Path(__file__).resolve().parent
    base = Path(os.environ.get("VERIFIER_SELFTESTS_CACHE") or here.parent.parent / "target" /
                "verifier-selftests")
    source = os.environ.get("VERIFIER_SELFTESTS_SOURCE") or "linux-source-6.12"
    return base if source == "linux-source-6.12" else base / source


def main():
    n = int(os.environ.get("VERIFIER_SELFTESTS_MUTANTS", "2"))
    seed = os.environ.get("VERIFIER_SELFTESTS_MUTANTS_SEED", "1")
    kinds = [k for k in os.environ.get("VERIFIER_SELFTESTS_MUTANTS_KINDS",
                                       ",".join(ALL_KINDS)).split(",") if k]
    unknown = [k for k in kinds if k not in ALL_KINDS]
    if unknown:
        sys.exit(f"unknown kinds of mutant {unknown}; the kinds are {', '.join(ALL_KINDS)}")
    only = [w for w in os.environ.get("VERIFIER_SELFTESTS_MUTANTS_ONLY", "").split(",") if w]
    max_insns = int(os.environ.get("VERIFIER_SELFTESTS_MUTANTS_MAX_INSNS", "2000"))
    stride = os.environ.get("VERIFIER_SELFTESTS_MUTANTS_STRIDE", "0/1").split("/")
    k_of, m_of = int(stride[0]), int(stride[1])
    cache = cache_dir()
    corpus = cache / "corpus"
    out = cache / "mutants"
    if out.exists():
        shutil.rmtree(out)
    out.mkdir(parents=True)
    if (corpus / "source.txt").exists():
        shutil.copy(corpus / "source.txt", out / "source.txt")
    with open(corpus / "manifest.tsv", newline="") as f:
        reader = csv.DictReader(f, delimiter="\t", quoting=csv.QUOTE_NONE)
        cols = list(reader.fieldnames)
        cases = list(reader)
    rows, skipped = [], 0
    for idx, c in enumerate(cases):
        name = f"{c['suite']}/{c['case']}"
        if c["not_expressible"] or c["llvm_mc"] != "ok" or idx % m_of != k_of:
            continue
        if only and not any(w in name for w in only):
            continue
        text = [strip_comment(ln) for ln in (corpus / c["file"]).read_text().splitlines()]
        if sum(1 for ln in text if ln[:1].isspace() and ln.strip()) > max_insns:
            skipped += 1
            continue
        seen = {"\n".join(text)}
        (out / c["suite"]).mkdir(exist_ok=True)
        for kind in kinds:
            rng = random.Random(f"{seed}:{name}:{kind}")
            lines = [i for i in range(len(text)) if variants(kind, text, i)]
            if len(lines) > n:
                lines = sorted(rng.sample(lines, n))
            for i in lines:
                vs = variants(kind, text, i)
                new = vs[rng.randrange(len(vs))]
                mutant = "\n".join(text[:i] + new + text[i + 1:])
                if mutant in seen:
                    continue
                seen.add(mutant)
                tag = kind.replace("+-", "pm").replace("+", "p").replace("-", "_")
                file = f"{c['suite']}/{c['case']}__{tag}_{i + 1}.s"
                (out / file).write_text(mutant + "\n")
                row = dict(c)
                row.update(case=f"{c['case']}~{kind}~{i + 1}", expect="", expect_unpriv="",
                           expect_msg="", file=file, kind=kind,
                           mutation=f"line {i + 1}: `{text[i].strip()}` -> "
                                    f"`{new[0].strip() if new else '(dropped)'}`"
                           .replace("\t", " "))
                rows.append(row)
    with open(out / "manifest.tsv", "w", newline="") as f:
        w = csv.DictWriter(f, cols + ["kind", "mutation"], delimiter="\t",
                           quoting=csv.QUOTE_NONE, escapechar="\\", lineterminator="\n")
        w.writeheader()
        w.writerows(rows)
    per = {k: sum(1 for r in rows if r["kind"] == k) for k in kinds}
    print(f"{len(rows)} mutants (seed {seed}, at most {n} of a kind per case; {skipped} cases "
          f"over {max_insns} instructions skipped): "
          + ", ".join(f"{k} {v}" for k, v in per.items()), file=sys.stderr)


if __name__ == "__main__":
    main()
