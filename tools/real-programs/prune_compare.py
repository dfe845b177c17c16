#!/usr/bin/env python3
# SPDX-License-Identifier: MIT OR Apache-2.0
"""Where our verifier processes more than the kernel's, instruction by instruction.

    KLOAD_LOG2=/tmp/k.log target/real-programs/kload OBJ.o FUNCTION TYPE
    ebpf-dsl check OBJ.o --kernel 6.18 --section FUNCTION --trace-prune /tmp/ours.txt
    tools/real-programs/prune_compare.py /tmp/k.log /tmp/ours.txt [--top N] [--all]

Reads the kernel's BPF_LOG_LEVEL2 log (every processed instruction is a line `N: (xx) ...`,
a pruned path `N: safe` or `from X to Y: safe`) and our `--trace-prune` table (the first
program in it), and prints per instruction: processed by each, paths pruned by each, our
checkpoints and misses, sorted by our excess (the instructions where we process the most
more first; `--all` prints them in program order).
"""
import re
import sys
from collections import Counter

INSN = re.compile(r"^(\d+): \([0-9a-f]{2}\)")
SAFE = re.compile(r"^(?:from \d+ to )?(\d+)(?: \(speculative execution\))?: safe")


def kernel(path):
    processed, pruned = Counter(), Counter()
    with open(path, errors="replace") as f:
        for line in f:
            m = SAFE.match(line)
            if m:
                pc = int(m.group(1))
                processed[pc] += 1
                pruned[pc] += 1
                continue
            m = INSN.match(line)
            if m:
                processed[int(m.group(1))] += 1
    return processed, pruned


def ours(path):
    rows = {}
    seen = 0
    with open(path) as f:
        for line in f:
            if line.startswith("## "):
                seen += 1
                if seen > 1:
                    break
                continue
            if line.startswith("# events"):
                break
            if line.startswith("#"):
                continue
            p = line.split("\t")
            if len(p) == 6:
                rows[int(p[0])] = [int(x) for x in p[1:]]
    return rows


def main():
    import argparse

    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("kernel_log")
    ap.add_argument("ours")
    ap.add_argument("--top", type=int, default=40, help="instructions shown (default 40)")
    ap.add_argument("--all", action="store_true", help="every instruction, in program order")
    a = ap.parse_args()
    args, top = [a.kernel_log, a.ours], a.top
    kp, ks = kernel(args[0])
    us = ours(args[1])
    pcs = sorted(set(kp) | set(us))
    rows = []
    for pc in pcs:
        o = us.get(pc, [0, 0, 0, 0, 0])
        rows.append((pc, kp[pc], o[0], ks[pc], o[2], o[1], o[3]))
    print(f"kernel processed {sum(kp.values())} (pruned {sum(ks.values())}); "
          f"ours {sum(r[2] for r in rows)} (pruned {sum(r[4] for r in rows)}, "
          f"checkpoints {sum(r[5] for r in rows)})")
    print("insn\tkernel\tours\texcess\tk.safe\to.pruned\to.ckpts\to.misses")
    if not a.all:
        rows.sort(key=lambda r: r[1] - r[2])
        rows = rows[:top]
    for pc, k, o, s, p, c, m in rows:
        print(f"{pc}\t{k}\t{o}\t{o - k}\t{s}\t{p}\t{c}\t{m}")


if __name__ == "__main__":
    main()
