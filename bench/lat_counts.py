#!/usr/bin/env python3
"""Instructions per request and per idle round of the latency workloads' echo servers: counts,
which other sessions' builds cannot disturb the way they disturb timings.

    sudo python3 bench/lat_counts.py [MODE ...]

MODE is `busy` (default) or `poll` (bench/latency.py's idle modes). With COUNT_CACHE=1,
callgrind also simulates the caches (`--cache-sim=yes`: L1 and last-level, sized like this
machine's) and the misses per answer are printed too: D1 (first-level data read + write
misses), LL (last-level misses, data and instructions) and I1 (first-level instruction
misses). The simulation sees the server's own accesses only: what the kernel (the copy into a
frame, other programs while it sleeps) evicts is not in it. Each server of
bench/latency.py (ours' `xsk-echo`, the C echo `xsk_ref -m echo`; with OLD_REL=DIR also an
older build's `xsk-echo` in DIR, e.g. a `git worktree` of an earlier commit built with its own
`CARGO_TARGET_DIR`) runs under valgrind's callgrind in the harness's sandbox while
`udp_lat` sends COUNT_RATE requests/s (default 1000) for COUNT_SECS seconds (3); callgrind
counts the server's user-space instructions from COUNT_SKIP seconds (1) after the start, when
the server is serving, to its end, and the calls of `recvfrom` (one per idle round in busy
mode), `sendto` (one per answer, or none when the wait sends), `poll` and `epoll_wait` (the
sleeping waits). Printed per server: system calls per answer (those four); in poll mode the
instructions per wait (one wait per request unless requests came together: the figure that
does not depend on how many answers fell inside the counted window, which starts when
callgrind_control reaches the server, late on a loaded machine: raise COUNT_SKIP then);  instructions per `sendto`
(per request: the whole loop, idle rounds included), per answer the client got (the same
when every answer has its own kick; a server that falls behind, e.g. on a loaded machine,
answers two requests with one kick now and then, which makes the per-`sendto` figure read
high) and, in busy mode, per `recvfrom` (per idle round). Under valgrind the servers are ~50x slower, so the rates must stay low; the
client's round trips are not the point here and are not printed.

Needs valgrind (apt-get install valgrind) and bench/build from bench/run.sh (the C echo,
udp_lat, the XDP objects). Environment: as bench/harness.py (BUILD, TARGET, GEN_CPU, RX_CPU,
NICE), LAT_OURS_ARGS (extra arguments for ours' xsk-echo, e.g. `--frames 2048`: bench/latency.py),
COUNT_RATE, COUNT_SECS, COUNT_SKIP, OLD_REL, COUNT_VARIANTS (more runs of ours with extra
arguments, `NAME:ARGS;NAME:ARGS`, e.g. `poll:--wait poll;kick:--kick-before-wait`), COUNT_TMP (a folder to keep callgrind's
files in, cg-SERVER-MODE, for callgrind_annotate; default: a temporary one, removed).
"""
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness as h  # noqa: E402
import latency as lat  # noqa: E402

RATE = int(os.environ.get("COUNT_RATE", "1000"))
SECS = float(os.environ.get("COUNT_SECS", "3"))
SKIP = float(os.environ.get("COUNT_SKIP", "1"))
CACHE = os.environ.get("COUNT_CACHE", "") not in ("", "0")


def calls(text, fn):
    """Calls of libc's `fn` in a `callgrind_annotate --tree=caller` listing: the call counts
    of the callers (`< caller (Nx)` lines) above its `*` line (0 if it was not called)."""
    n, pending = 0, 0
    for line in text.splitlines():
        c = re.search(r"<.*\(([\d,]+)x\)", line)
        if c:
            pending += int(c.group(1).replace(",", ""))
        elif "*  " in line:
            if re.search(r":" + fn + r" \[.*libc", line):
                n += pending
            pending = 0
        elif not line.strip():
            pending = 0
    return n


SYSCALLS = ("sendto", "recvfrom", "poll", "epoll_wait")


def count(box, name, impl, mode, rel, tmp, extra=()):
    """{instructions, answers, and the calls of each of SYSCALLS} of server `impl` ("ours" or
    "c"; `name` in the file names) in `mode`, ours with the extra arguments `extra`."""
    h.REL = rel
    secs = SKIP + SECS + 2
    out = os.path.join(tmp, f"cg-{name}-{mode}")
    cmd = lat.server_cmd(h, impl, secs, mode) + (list(extra) if impl == "ours" else [])
    vg = ["valgrind", "--tool=callgrind", "--instr-atstart=no", f"--callgrind-out-file={out}"]
    if CACHE:
        vg.append("--cache-sim=yes")
    box.sink(h.NS_A, h.IF_A, False)
    try:
        s = h.Proc(h.in_ns(h.NS_B, h.RX_CPU, *vg, *cmd), secs + 30)
        time.sleep(SKIP)
        # Count from now on (the server has loaded its program and is in its loop).
        # (By the program's name: `s` is the namespace wrapper, whose pid valgrind's is not.)
        subprocess.run(["callgrind_control", "-i", "on", os.path.basename(cmd[0])],
                       capture_output=True, timeout=30)
        client = [os.path.join(h.BUILD, "udp_lat"), "-a", "10.77.0.2", "-p", lat.LAT_PORT,
                  "-r", str(RATE), "-d", f"{SECS:g}", "-w", "0", "-s", lat.LAT_SIZE, "-S"]
        cl = h.Proc(h.in_ns(h.NS_A, h.GEN_CPU, *client), SECS + 15).wait()
        s.wait()
    finally:
        box.sink(h.NS_A, h.IF_A, True)
    if s.rc != 0:
        raise RuntimeError(f"{impl} echo failed (exit {s.rc}): {s.err.strip()[-400:]}")
    text = subprocess.run(["callgrind_annotate", "--tree=caller", "--threshold=100", out],
                          capture_output=True, text=True, timeout=120).stdout
    m = re.search(r"^([\d,]+) .*PROGRAM TOTALS", text, re.M)
    total = int(m.group(1).replace(",", "")) if m else 0
    a = re.search(r"answered=(\d+)", cl.out)
    res = {"instructions": total, "answers": int(a.group(1)) if a else 0}
    res.update({f: calls(text, f) for f in SYSCALLS})
    if CACHE:
        res.update(cache_totals(out))
    return res


def cache_totals(out):
    """{D1, LL, I1} misses in callgrind's file `out` (run with --cache-sim=yes): D1mr + D1mw,
    ILmr + DLmr + DLmw, I1mr (0 each if absent)."""
    events, totals = [], []
    with open(out) as f:
        for line in f:
            if line.startswith("events:"):
                events = line.split()[1:]
            elif line.startswith("totals:") or line.startswith("summary:"):
                totals = [int(x) for x in line.split()[1:]]
    ev = dict(zip(events, totals))
    return {"D1": ev.get("D1mr", 0) + ev.get("D1mw", 0),
            "LL": ev.get("ILmr", 0) + ev.get("DLmr", 0) + ev.get("DLmw", 0),
            "I1": ev.get("I1mr", 0)}


def main():
    modes = sys.argv[1:] or ["busy"]
    for m in modes:
        if m not in ("busy", "poll"):
            sys.exit(f"lat_counts.py: unknown mode {m!r} (busy or poll)")
    if not shutil.which("valgrind"):
        sys.exit("lat_counts.py: needs valgrind (apt-get install valgrind)")
    sides = [("ours", "ours", h.REL, ()), ("c", "c", h.REL, ())]
    if os.environ.get("OLD_REL"):
        sides.insert(1, ("ours-old", "ours", os.environ["OLD_REL"], ()))
    for v in filter(None, os.environ.get("COUNT_VARIANTS", "").split(";")):
        vname, _, vargs = v.partition(":")
        sides.insert(1, (f"ours-{vname.strip()}", "ours", h.REL, tuple(vargs.split())))
    tmp = os.environ.get("COUNT_TMP") or tempfile.mkdtemp(prefix="lat_counts.")
    box = h.Sandbox()
    box.__enter__()
    try:
        for mode in modes:
            for name, impl, rel, extra in sides:
                c = count(box, name, impl, mode, rel, tmp, extra)
                line = f"{mode:4} {name:10} instructions {c['instructions']:,}"
                if c["sendto"]:
                    line += (f", sendto {c['sendto']:,} "
                             f"({c['instructions'] / c['sendto']:,.0f} per request)")
                if c["answers"]:
                    line += (f", answers {c['answers']:,} "
                             f"({c['instructions'] / c['answers']:,.0f} per answer); "
                             "syscalls per answer: " + ", ".join(
                                 f"{f} {c[f] / c['answers']:.2f}" for f in SYSCALLS
                                 if mode != "busy" or f != "recvfrom"))
                waits = c["poll"] + c["epoll_wait"]
                if mode == "poll" and waits:
                    line += f"; {c['instructions'] / waits:,.0f} per wait"
                if CACHE and c["answers"]:
                    line += ", misses per answer: " + ", ".join(
                        f"{k} {c[k] / c['answers']:,.2f}" for k in ("D1", "LL", "I1"))
                if mode == "busy" and c["recvfrom"]:
                    line += (f", recvfrom {c['recvfrom']:,} "
                             f"({c['instructions'] / c['recvfrom']:,.0f} per idle round)")
                print(line, flush=True)
    finally:
        box.__exit__()
        if not os.environ.get("COUNT_TMP"):
            shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
