#!/usr/bin/env python3
"""Draws bench/results/latest.svg from latest.json, with the standard library only.

One panel per workload metric that has two sides (ours vs the reference, or for the
verify workloads ours vs the kernel's verifier): a bar per side at the median, a whisker
from min to max over the rounds, the values written out, and the median per-round ratio
in the panel title. Each panel has its own scale starting at zero.

usage: plot.py latest.json latest.svg
"""

import json
import sys
from xml.sax.saxutils import escape

COLORS = {"ours": "#d9531e", "c": "#4a7bb7", "kernel": "#4a7bb7"}
LABELS = {"ours": "ours", "c": "C / libxdp", "kernel": "kernel"}
UNITS = {"pps": "packets/s", "cpu_ns_per_pkt": "CPU ns/packet", "ns_per_desc": "ns/descriptor",
         "ns_per_run": "ns/run", "verify_us": "µs: ours parse+check+verify, kernel verify",
         "verifier_only_us": "µs: verifier alone", "xlated_insns": "insns (xlated)",
         "p50_us": "round trip p50, µs", "p99_us": "round trip p99, µs",
         "p999_us": "round trip p99.9, µs", "eps": "events/s",
         "consumer_cpu_ns_per_event": "consumer CPU ns/event",
         "scale": "pps with 2 queues / with 1", "pps_1q": "packets/s, 1 queue",
         "pps_2q": "packets/s, 2 queues"}
SHOWN = set(UNITS)


def human(v):
    if v >= 1e6:
        return f"{v / 1e6:.2f}M"
    if v >= 1e4:
        return f"{v / 1e3:.0f}k"
    if v >= 100:
        return f"{v:.0f}"
    return f"{v:.3g}"


def main(src, dst):
    with open(src) as f:
        data = json.load(f)
    panels = [e for e in data["summary"] if len(e["sides"]) >= 1 and e["metric"] in SHOWN
              and not (e["metric"] == "xlated_insns" and "ratio" not in e)]
    cols = 4
    pw, ph = 230, 200
    rows = (len(panels) + cols - 1) // cols or 1
    width, height = cols * pw + 20, rows * ph + 70
    meta = data["meta"]
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
           f'font-family="sans-serif" font-size="11">',
           f'<rect width="{width}" height="{height}" fill="white"/>',
           f'<text x="10" y="20" font-size="14" font-weight="bold">ebpf-dsl / xsk-runtime vs C '
           f'reference — median and min-max of {meta["rounds"]} interleaved rounds</text>',
           f'<text x="10" y="38">{escape(meta["machine"])}, kernel {escape(meta["kernel"])}, '
           f'{meta["duration_s"]:g} s per AF_XDP run, batch {meta["batch"]}, generator '
           f'{escape(meta["generator"])}, {escape(meta["started"])}</text>']
    for i, e in enumerate(panels):
        x0 = 10 + (i % cols) * pw
        y0 = 50 + (i // cols) * ph
        r = e.get("ratio")
        title = e["workload"]
        sub = UNITS.get(e["metric"], e["metric"])
        if e.get("better"):
            sub += f" ({e['better']} is better)"
        out.append(f'<rect x="{x0}" y="{y0}" width="{pw - 10}" height="{ph - 10}" fill="none" '
                   f'stroke="#ccc"/>')
        out.append(f'<text x="{x0 + 6}" y="{y0 + 15}" font-weight="bold">{escape(title)}</text>')
        out.append(f'<text x="{x0 + 6}" y="{y0 + 29}" fill="#555">{escape(sub)}</text>')
        if r:
            out.append(f'<text x="{x0 + 6}" y="{y0 + 43}">ratio {escape(r["of"])}: '
                       f'{r["median"]:.2f} ({r["min"]:.2f}-{r["max"]:.2f})</text>')
        sides = list(e["sides"].items())
        top = max(s["max"] for _, s in sides) or 1
        base, plot_h = y0 + ph - 35, ph - 95
        bw = 50
        for j, (side, s) in enumerate(sides):
            bx = x0 + 35 + j * 85
            h = plot_h * s["median"] / top
            color = COLORS.get(side, "#888")
            out.append(f'<rect x="{bx}" y="{base - h:.1f}" width="{bw}" height="{h:.1f}" '
                       f'fill="{color}" opacity="0.85"/>')
            ylo, yhi = base - plot_h * s["min"] / top, base - plot_h * s["max"] / top
            cx = bx + bw / 2
            out.append(f'<line x1="{cx}" y1="{ylo:.1f}" x2="{cx}" y2="{yhi:.1f}" stroke="black"/>')
            for yy in (ylo, yhi):
                out.append(f'<line x1="{cx - 6}" y1="{yy:.1f}" x2="{cx + 6}" y2="{yy:.1f}" '
                           f'stroke="black"/>')
            out.append(f'<text x="{cx}" y="{yhi - 4:.1f}" text-anchor="middle">'
                       f'{human(s["median"])}</text>')
            out.append(f'<text x="{cx}" y="{base + 14}" text-anchor="middle">'
                       f'{escape(LABELS.get(side, side))}</text>')
        out.append(f'<line x1="{x0 + 20}" y1="{base}" x2="{x0 + pw - 30}" y2="{base}" '
                   f'stroke="#333"/>')
    out.append("</svg>")
    with open(dst, "w") as f:
        f.write("\n".join(out) + "\n")


if __name__ == "__main__":
    if len(sys.argv) != 3:
        raise SystemExit(__doc__)
    main(sys.argv[1], sys.argv[2])
