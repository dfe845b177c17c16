#!/usr/bin/env python3
"""Our verifier's verdict, message and counts on every corpus entry point, for comparing two
builds: a change meant to make the verifier faster must leave this output byte-identical.

    tools/real-programs/same_stats.py BIN OUT    # then: cmp OUT-before OUT-after

Runs `BIN check --stats --kernel 6.18` on every entry point of results/programs.csv (objects
in target/real-programs/obj, from run.sh) and on every expressible case of the verifier
selftests corpus (target/verifier-selftests/corpus, from tools/verifier-selftests/run.sh),
and writes the exit status, stdout and stderr of each to OUT with the verification time
removed (processed instructions, states, pruned paths and the stack depth are kept).
"""
import csv
import re
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]


def norm(s):
    return re.sub(r"time \d+ usec", "time X usec", s)


def main():
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    cli, out = sys.argv[1], open(sys.argv[2], "w")
    obj = REPO / "target/real-programs/obj"
    for row in csv.DictReader(open(REPO / "tools/real-programs/results/programs.csv")):
        o = obj / (row["object"].replace("/", "__") + ".o")
        r = subprocess.run([cli, "check", str(o), "--section", row["function"], "--type",
                            row["type"], "--kernel", "6.18", "--btf", "/sys/kernel/btf/vmlinux",
                            "--stats"], capture_output=True, text=True)
        out.write(f"## {row['object']} {row['function']} rc={r.returncode}\n")
        out.write(norm(r.stdout) + norm(r.stderr))
    corpus = REPO / "target/verifier-selftests/corpus"
    manifest = corpus / "manifest.tsv"
    if not manifest.exists():
        print(f"no {manifest}: selftest cases left out", file=sys.stderr)
        return
    for i, line in enumerate(open(manifest)):
        f = line.rstrip("\n").split("\t")
        if i == 0 or f[11]:
            continue
        maps = []
        for m in f[8].split():
            maps += ["--map", m.rsplit(":", 1)[0]]  # NAME:TYPE:KEY:VALUE:ENTRIES (no flags)
        r = subprocess.run([cli, "check", str(corpus / f[9]), "--type", f[2], "--kernel", "6.18",
                            "--stats"] + maps, capture_output=True, text=True)
        out.write(f"## {f[0]}/{f[1]} rc={r.returncode}\n{norm(r.stdout)}{norm(r.stderr)}")


if __name__ == "__main__":
    main()
