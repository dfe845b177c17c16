#!/usr/bin/env python3
"""The real-program corpus' ours-vs-kernel check on the running kernel, from objects already
built (no fetching, no compiling): meant for a guest of tools/kernel-vm/run.sh, where the
kernel is another than the one tools/real-programs/run.sh ran on.

For every XDP/tc/socket-filter entry point of tools/real-programs/results/programs.csv (the
objects named `OBJECT` there are `OBJ_DIR/OBJECT with / as __.o`), the kernel's verdict (kload,
or `ebpf-dsl load` for legacy maps, as run.py) and ours (`ebpf-dsl check --kernel RUNNING
--unavailable-helpers running --btf /sys/kernel/btf/vmlinux [--kconfig]`, run.py's own
`our_verdict`). Writes `programs.csv` and `summary.md` into RESULTS.

    real_programs.py OBJ_DIR RESULTS [SUBSTRING,...]

Environment: EBPF_DSL (the CLI), KLOAD (tools/real-programs/kload.c built), KCONFIG_FILE
(the guest kernel's config for `__kconfig` externs: Debian's image packages have it in
boot/). Exit status 1 on a false accept.
"""
import csv
import os
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "real-programs"))
import run  # noqa: E402  (tools/real-programs/run.py: the verdicts as the corpus run takes them)


def main():
    obj_dir, results = Path(sys.argv[1]), Path(sys.argv[2])
    only = [w for w in (sys.argv[3] if len(sys.argv) > 3 else "").split(",") if w]
    cli, kload = Path(os.environ["EBPF_DSL"]), Path(os.environ["KLOAD"])
    if os.environ.get("KCONFIG_FILE"):
        run.KCONFIG.extend(["--kconfig", os.environ["KCONFIG_FILE"]])
    with open(HERE.parent / "real-programs" / "results" / "programs.csv", newline="") as f:
        rows = [r for r in csv.DictReader(f) if r["type"] in run.PACKET_TYPES
                and r["outcome"] in ("agree", "false reject", "FALSE ACCEPT")
                and (not only or any(w in r["object"] for w in only))]
    out, counts, start = [], {}, time.monotonic()
    for r in rows:
        obj = obj_dir / (r["object"].replace("/", "__") + ".o")
        if not obj.exists():
            outcome, kv, ov, note = "no object", "", "", str(obj)
        else:
            kv, klog, _ = run.kernel_verdict(kload, cli, obj, r["function"], r["type"])
            ov, omsg, _ = run.our_verdict(cli, obj, r["function"], r["type"])
            outcome = run.compare_verdicts(kv, ov)
            note = klog if kv != "accept" else omsg
        counts[outcome] = counts.get(outcome, 0) + 1
        out.append({"object": r["object"], "function": r["function"], "type": r["type"],
                    "kernel": kv, "ours": ov, "outcome": outcome,
                    "kernel_618": r["kernel"], "note": note[:300]})
        print(f"{r['object']} {r['function']}: kernel {kv}, ours {ov}: {outcome}",
              file=sys.stderr)
    results.mkdir(parents=True, exist_ok=True)
    with open(results / "programs.csv", "w", newline="") as f:
        w = csv.DictWriter(f, fieldnames=list(out[0]) if out else ["object"])
        w.writeheader()
        w.writerows(out)
    u = os.uname()
    lines = [
        "# Real programs on another kernel (tools/kernel-vm/real_programs.py)", "",
        f"Kernel `{u.release}` ({u.version}); our target `--kernel {run.running_kernel()}`. "
        f"{len(out)} entry points of tools/real-programs/results/programs.csv"
        f"{' matching ' + ','.join(only) if only else ''}, "
        f"{time.monotonic() - start:.0f} s.", "",
        "| outcome | entry points |", "|---|---:|",
        *[f"| {k} | {v} |" for k, v in sorted(counts.items())], "",
        "Other verdicts than the kernel's:", "",
        "| object | function | kernel | ours | 6.18's | note |", "|---|---|---|---|---|---|",
        *[f"| {r['object']} | {r['function']} | {r['kernel']} | {r['ours']} | "
          f"{r['kernel_618']} | {r['note'][:160].replace('|', '/')} |"
          for r in out if r["outcome"] not in ("agree",)],
    ]
    (results / "summary.md").write_text("\n".join(lines) + "\n")
    print("\n".join(lines[:12]))
    return 1 if counts.get("FALSE ACCEPT") else 0


if __name__ == "__main__":
    sys.exit(main())
