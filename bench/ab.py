#!/usr/bin/env python3
"""A/B of two builds of ours, with the C reference, in one interleaved run.

    sudo python3 bench/ab.py OLD_RELEASE_DIR NEW_RELEASE_DIR [MODE ...]

Each RELEASE_DIR is a cargo `target/release` holding the examples' `xsk-rxdrop`, `xsk-l2fwd`
or `xsk-txonly` (build an older commit in a `git worktree` with its own `CARGO_TARGET_DIR`).
MODE is rxdrop, l2fwd or txonly (default: l2fwd). Every round runs old, new and the C
reference (`bench/build/xsk_ref`, built by `bench/run.sh`) in the same sandbox, alternating
the order, so that a host change or a noisy neighbour hits all three alike. This is how a
change of the hot path is told apart from a change of the machine: the question is never
"is it faster than last week" but "is it faster than the old code in the same minute".

Environment: AB_ROUNDS (6), and the harness's DURATION, WARMUP, GEN_CPU, RX_CPU, BATCH.
Writes OUT/ab-MODE.json (OUT as for bench/run.sh) and prints medians and min-max.
"""
import json
import os
import statistics
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness as h  # noqa: E402


def main():
    if len(sys.argv) < 3:
        sys.exit(__doc__)
    dirs = {"old": sys.argv[1], "new": sys.argv[2]}
    modes = sys.argv[3:] or ["l2fwd"]
    for mode in modes:
        if mode not in ("rxdrop", "l2fwd", "txonly"):
            sys.exit(f"ab.py: unknown mode {mode!r} (rxdrop, l2fwd or txonly)")
        for side, d in dirs.items():
            if not os.access(os.path.join(d, "xsk-" + mode), os.X_OK):
                sys.exit(f"ab.py: {side}: no executable xsk-{mode} in {d}")
    if not os.access(h.C_XSK, os.X_OK):
        sys.exit(f"ab.py: no C reference at {h.C_XSK}: run bench/run.sh once to build it")
    rounds = int(os.environ.get("AB_ROUNDS", "6"))
    os.makedirs(h.OUT, exist_ok=True)
    box = h.Sandbox()
    box.__enter__()
    try:
        for mode in modes:
            res = {"old": [], "new": [], "c": []}
            for r in range(rounds):
                order = ["old", "new", "c"] if r % 2 == 0 else ["c", "new", "old"]
                for impl in order:
                    if impl == "c":
                        m = h.run_xsk(box, "c", mode)
                    else:
                        h.REL = dirs[impl]
                        m = h.run_xsk(box, "ours", mode)
                    res[impl].append(m)
                    print(f"{mode} round {r} {impl}: pps {m['pps']:.0f}, "
                          f"CPU {m['cpu_ns_per_pkt']:.0f} ns/pkt", flush=True)
            summary = {}
            for impl, runs in res.items():
                pps = [x["pps"] for x in runs]
                cpu = [x["cpu_ns_per_pkt"] for x in runs]
                summary[impl] = {
                    "pps_median": statistics.median(pps), "pps_min": min(pps),
                    "pps_max": max(pps), "cpu_ns_per_pkt_median": statistics.median(cpu),
                }
                print(f"{mode} {impl}: pps median {statistics.median(pps):.0f} "
                      f"({min(pps):.0f}-{max(pps):.0f}), CPU median "
                      f"{statistics.median(cpu):.0f} ns/pkt")
            new_old = summary["new"]["pps_median"] / summary["old"]["pps_median"]
            print(f"{mode}: new/old pps {new_old:.3f}, new/C "
                  f"{summary['new']['pps_median'] / summary['c']['pps_median']:.3f}, old/C "
                  f"{summary['old']['pps_median'] / summary['c']['pps_median']:.3f}")
            with open(os.path.join(h.OUT, f"ab-{mode}.json"), "w") as f:
                json.dump({"dirs": dirs, "rounds": rounds, "duration": h.DURATION,
                           "runs": res, "summary": summary}, f, indent=1)
    finally:
        box.__exit__(None, None, None)


if __name__ == "__main__":
    main()
